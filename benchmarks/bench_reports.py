"""Wall time of whole `sheetcrm` processes around the history between syncs.

    python benchmarks/bench_reports.py [--sizes 5000,50000] [--repeat 3]

For each size: `today` (which must not pay for history or charts), a first
`sync` (snapshot only), a second `sync` after editing one client in ten
(status, manager, next contact), then `problems`, `report`, `history` and
`chart load`. Workbooks come from the demo generator; everything runs in a
scratch directory with its own config.yaml and history database.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)


def workbook(directory: Path, n: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from sheetcrm.demo import make_rows, write_workbook

    path = directory / f"clients-{n}.xlsx"
    rows, managers = make_rows(n, "en", TODAY)
    write_workbook(path, rows, managers, "en")
    return path


def edit_every_tenth(path: Path) -> None:
    """What a team does between two syncs: statuses, managers and dates change."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Clients"]
    headers = [c.value for c in ws[1]]
    status, manager, due = (headers.index(h) + 1 for h in ("Status", "Manager", "Next contact"))
    for r in range(2, ws.max_row + 1, 10):
        ws.cell(r, status).value = "In progress"
        ws.cell(r + 1, manager).value = "Olga Petrova"
        ws.cell(r + 2, due).value = "30.11.2026"
    wb.save(path)


def timed(directory: Path, *args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "sheetcrm", "--config", str(directory / "config.yaml"), *args],
        cwd=directory,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"sheetcrm {' '.join(args)} failed: {proc.stderr}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000")
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    print(f"median of {opts.repeat} runs (sync: one run, it changes the workbook)")
    print(f"{'clients':>8}  {'command':<16} {'median s':>9}")
    for n in (int(s) for s in opts.sizes.split(",")):
        directory = Path(tempfile.mkdtemp(prefix="sheetcrm-bench-reports-"))
        try:
            (directory / "config.yaml").write_text("language: en\n", encoding="utf-8")
            path = str(workbook(directory, n))
            day = ["--date", TODAY.isoformat()]
            rows: list[tuple[str, float]] = [
                (
                    "today",
                    statistics.median(
                        timed(directory, "today", path, *day) for _ in range(opts.repeat)
                    ),
                ),
                ("sync (first)", timed(directory, "sync", path, *day)),
            ]
            edit_every_tenth(Path(path))
            rows.append(("sync (edited)", timed(directory, "sync", path, "--date", "2026-11-24")))
            for label, args in (
                ("problems", ["problems", path, *day]),
                ("report", ["report", path, *day]),
                ("history", ["history", path, "C00011"]),
                ("chart load", ["chart", "load", path, "--out", str(directory / "load.png")]),
            ):
                walls = [timed(directory, *args) for _ in range(opts.repeat)]
                rows.append((label, statistics.median(walls)))
            for label, wall in rows:
                print(f"{n:>8}  {label:<16} {wall:9.2f}", flush=True)
        finally:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
