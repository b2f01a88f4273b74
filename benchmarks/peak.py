"""Run `-m module ...` or `-c code ...` like `python` does, then print this process's
peak resident memory to stderr as "peak-kb N".

The peak is VmHWM of /proc/self/status: it belongs to the process image after exec.
ru_maxrss (from wait4 or getrusage) is not used because on Linux it keeps the
high-water mark of the forked parent, so a benchmark that has just built a large
workbook would report its own size for every child.
"""

from __future__ import annotations

import atexit
import os
import re
import runpy
import sys


def _report() -> None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            kb = int(re.search(r"VmHWM:\s+(\d+)", f.read())[1])
    except (OSError, TypeError):
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write(f"\npeak-kb {kb}\n")


def main() -> None:
    atexit.register(_report)
    exit_now = os._exit  # sheetcrm's entry point ends with os._exit, which skips atexit

    def _exit(code: int) -> None:
        _report()
        exit_now(code)

    os._exit = _exit
    flag, target, *rest = sys.argv[1:]
    if flag == "-m":
        sys.argv = [target, *rest]
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    else:
        sys.argv = ["-c", *rest]
        exec(compile(target, "<string>", "exec"), {"__name__": "__main__"})


if __name__ == "__main__":
    main()
