"""`sync` on Excel workbooks next to python-calamine reading the same file.

    python benchmarks/bench_excel_sync.py [--sizes 1000,10000,100000] [--repeat 3]

For each size: the median wall time and peak memory of whole processes: a
first `sync` (every client gets an ID, so every row changes and the Log gains
a row per client) and a routine `sync` the next day on the synced file (IDs
in place, the flags that moved change, the owned tabs are rewritten, the
history holds the first day's snapshot). Each sync runs on a fresh copy of
the workbook and of the history it would find, in a scratch directory, and
is shown next to python-calamine alone reading the Clients tab of the file
it starts from, and as a multiple of that read. Then `today` on 5,000 clients.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_commands import CACHE, TODAY, measure, workbook  # noqa: E402

NEXT_DAY = "2026-11-24"
HISTORY = ".sheetcrm-history.sqlite"


def scratch(n: int) -> Path:
    """The directory syncs of `n` clients run in: the workbook and its history."""
    directory = CACHE / f"excel-{n}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


def timed(
    args: list[str], repeat: int, setup=lambda: None, cwd: Path = CACHE
) -> tuple[float, float]:
    walls, peaks = [], []
    for _ in range(repeat):
        setup()
        wall, peak = measure(args, cwd)
        walls.append(wall)
        peaks.append(peak)
    return statistics.median(walls), max(peaks)


def sheetcrm(command: str, path: Path, day: str) -> list[str]:
    return [sys.executable, "-m", "sheetcrm", command, str(path), "--date", day]


def synced(n: int) -> tuple[Path, Path]:
    """The workbook after its first sync and the history that sync stored (cached)."""
    book, history = CACHE / f"synced-{n}.xlsx", CACHE / f"synced-{n}.sqlite"
    if not (book.exists() and history.exists()):
        directory = scratch(n)
        shutil.copy(workbook(n), directory / "crm.xlsx")
        measure(sheetcrm("sync", directory / "crm.xlsx", TODAY.isoformat()), directory)
        shutil.copy(directory / "crm.xlsx", book)
        shutil.copy(directory / HISTORY, history)
    return book, history


def prepare(directory: Path, book: Path, history: Path | None):
    def setup() -> None:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        shutil.copy(book, directory / "crm.xlsx")
        if history is not None:
            shutil.copy(history, directory / HISTORY)

    return setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    read = (
        "import sys; from python_calamine import CalamineWorkbook as W; "
        "w = W.from_path(sys.argv[1]); w.get_sheet_by_index(0).to_python()"
    )
    print(f"median of {opts.repeat} whole-process runs; peak = max RSS")
    print(f"{'clients':>8}  {'what':<22} {'median s':>9} {'peak MB':>8}  {'x read':>7}")
    for n in (int(s) for s in opts.sizes.split(",")):
        book, history = synced(n)
        directory = CACHE / f"excel-{n}"
        runs = [
            ("first (IDs)", workbook(n), None, TODAY.isoformat()),
            ("next day", book, history, NEXT_DAY),
        ]
        for label, source, past, day in runs:
            # the read it is measured against is of the very file this sync starts from
            base, peak = timed([sys.executable, "-c", read, str(source)], opts.repeat)
            print(f"{n:>8}  {'calamine read':<22} {base:9.2f} {peak:8.0f}  {1:7.1f}", flush=True)
            args = sheetcrm("sync", directory / "crm.xlsx", day)
            wall, peak = timed(args, opts.repeat, prepare(directory, source, past), directory)
            what = f"sync, {label}"
            print(f"{n:>8}  {what:<22} {wall:9.2f} {peak:8.0f}  {wall / base:7.1f}", flush=True)
    five = workbook(5000)
    wall, peak = timed(sheetcrm("today", five, TODAY.isoformat()), opts.repeat)
    print(f"{5000:>8}  {'today':<22} {wall:9.2f} {peak:8.0f}")


if __name__ == "__main__":
    main()
