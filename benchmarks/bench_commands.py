"""Median wall time and peak memory of whole `sheetcrm` processes.

    python benchmarks/bench_commands.py [--sizes 1000,10000,100000] [--repeat 3]

Builds sample workbooks (cached in $TMPDIR/sheetcrm-bench) with the demo
generator, then runs `check`, `today` and `sync` on each as separate
processes, the way a user or cron does. `sync` runs on a fresh copy each
time so it always has the same work to do. Also prints the time
python-calamine alone takes to read the Clients tab, for scale.
"""

from __future__ import annotations

import argparse
import re
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
CACHE = Path(tempfile.gettempdir()) / "sheetcrm-bench"


def workbook(n: int) -> Path:
    path = CACHE / f"clients-{n}.xlsx"
    if not path.exists():
        sys.path.insert(0, str(ROOT))
        from sheetcrm.demo import make_rows, write_workbook

        CACHE.mkdir(exist_ok=True)
        rows, managers = make_rows(n, "ru", TODAY)
        write_workbook(path, rows, managers, "ru")
    return path


def measure(args: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one child process; a Python child runs under
    peak.py, which reports the peak of its own process image."""
    if args[0] == sys.executable:
        args = [sys.executable, str(Path(__file__).with_name("peak.py")), *args[1:]]
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    err = proc.stderr.decode(errors="replace")
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {err}")
    found = re.search(r"peak-kb (\d+)", err)
    return wall, int(found[1]) / 1024 if found else float("nan")


def run(command: str, path: Path, repeat: int) -> tuple[float, float]:
    walls, peaks = [], []
    for _ in range(repeat):
        target = path
        if command == "sync":
            target = CACHE / f"work-{path.name}"
            shutil.copy(path, target)
            shutil.rmtree(CACHE / ".sheetcrm-backups", ignore_errors=True)
        if command == "calamine":
            code = (
                "import sys; from python_calamine import CalamineWorkbook as W; "
                "w = W.from_path(sys.argv[1]); w.get_sheet_by_index(0).to_python()"
            )
            args = [sys.executable, "-c", code, str(target)]
        else:
            args = [
                sys.executable,
                "-m",
                "sheetcrm",
                command,
                str(target),
                "--date",
                TODAY.isoformat(),
            ]
        wall, peak = measure(args)
        walls.append(wall)
        peaks.append(peak)
    return statistics.median(walls), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--commands", default="calamine,check,today,sync")
    opts = parser.parse_args()
    print(f"median of {opts.repeat} runs; peak = max RSS of the process")
    print(f"{'clients':>8}  {'command':<9} {'median s':>9} {'peak MB':>8}  {'x calamine':>10}")
    for n in (int(s) for s in opts.sizes.split(",")):
        path = workbook(n)
        base = None
        for command in opts.commands.split(","):
            wall, peak = run(command, path, opts.repeat)
            base = wall if command == "calamine" else base
            ratio = f"{wall / base:10.1f}" if base else ""
            print(f"{n:>8}  {command:<9} {wall:9.2f} {peak:8.0f}  {ratio}", flush=True)


if __name__ == "__main__":
    main()
