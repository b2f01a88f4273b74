"""Time the team commands' planning on a large demo workbook.

    python benchmarks/bench_team.py [clients]

Prints seconds for reading the workbook and for planning a handover, an
assign and a who lookup (nothing is written).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from sheetcrm.config import Config
from sheetcrm.demo import MANAGERS, make_rows, write_workbook
from sheetcrm.engine.lookup import lookup
from sheetcrm.team import plan_assign, plan_handover
from sheetcrm.workspace import load

TODAY = date(2026, 11, 23)
T = TypeVar("T")


def timed(label: str, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    value = fn()
    print(f"{label:<32} {time.perf_counter() - start:7.3f} s")
    return value


def main(n: int) -> None:
    cfg = Config(language="en")
    cfg.routing.pool = [name for name, _ in MANAGERS["en"]]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crm.xlsx"
        rows, managers = make_rows(n, "en", TODAY, seed=3)
        write_workbook(path, rows, managers, "en")
        ws = timed(f"read {n} clients", lambda: load(cfg, str(path), TODAY))
        leaver = MANAGERS["en"][0][0]
        result = timed("plan handover", lambda: plan_handover(ws, leaver, (), "now", "bench"))
        print(f"  {len(result.moves)} clients moved, {len(result.plan.cells)} cells planned")
        ws = load(cfg, str(path), TODAY)
        assigned = timed("plan assign", lambda: plan_assign(ws, "now", "bench"))
        print(f"  {len(assigned.assigned)} clients assigned")
        phone = next(c.phone for c in ws.table.clients if c.phone_norm)
        found = timed("who by phone", lambda: lookup(ws.table.clients, phone))
        print(f"  {len(found)} match(es)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
