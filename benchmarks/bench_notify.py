"""Time to build the morning messages and to deliver them to an SMTP server on loopback.

    python benchmarks/bench_notify.py [--sizes 1000,10000,50000] [--repeat 3]

Uses the demo workbooks of bench_commands.py (5 managers). Prints the median
time to read the workbook, to build every list and the digest (templates
included), and to send them all over one SMTP connection to an aiosmtpd
server started here on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from bench_commands import TODAY, workbook  # noqa: E402


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.count += 1
        return "250 OK"


def median(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()

    from aiosmtpd.controller import Controller

    from sheetcrm.config import Config
    from sheetcrm.delivery import send_email
    from sheetcrm.notify import build
    from sheetcrm.workspace import load

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    cfg = Config(language="ru")
    cfg.notify.head_of_sales = ["head@sales.example"]
    cfg.notify.smtp.host, cfg.notify.smtp.port = "127.0.0.1", port
    cfg.notify.smtp.security, cfg.notify.smtp.sender = "none", "crm@sales.example"
    print(f"median of {opts.repeat} runs")
    print(
        f"{'clients':>8} {'messages':>8} {'read s':>7} {'build s':>8} {'send s':>7} {'list KB':>8}"
    )
    try:
        for n in (int(x) for x in opts.sizes.split(",")):
            path = workbook(n)
            read, ws = median(lambda path=path: load(cfg, str(path), TODAY), opts.repeat)
            built, out = median(lambda ws=ws: build(ws, "email"), opts.repeat)
            sent, _ = median(
                lambda out=out: send_email(out.messages, cfg.notify.smtp, {}), opts.repeat
            )
            biggest = max(len(m.text) + len(m.html) for m in out.messages) / 1024
            print(
                f"{n:>8} {len(out.messages):>8} {read:7.2f} {built:8.2f} {sent:7.2f} {biggest:8.0f}"
            )
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
