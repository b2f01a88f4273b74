"""Google Sheets API requests per sync, at several sheet sizes.

    python benchmarks/bench_gsheets_requests.py [rows ...]   (default: 100 1000 10000 50000)

Runs sheetcrm against the in-memory Sheets API server the tests use (no
network): a realistic demo client list, a first sync, then a sync after one
edit (the everyday case). Prints the API requests of each sync by endpoint,
the bytes sheetcrm sent, and the seconds taken (local server included).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this checkout's sheetcrm and test server

from sheets_server import SheetsServer, make_service_account  # noqa: E402

from sheetcrm.backends import gsheets  # noqa: E402
from sheetcrm.backends.google_http import Settings  # noqa: E402
from sheetcrm.config import Config  # noqa: E402
from sheetcrm.demo import make_rows  # noqa: E402
from sheetcrm.schema import CLIENT_FIELDS, MANAGER_FIELDS  # noqa: E402
from sheetcrm.sync import sync  # noqa: E402
from sheetcrm.workspace import load  # noqa: E402

TODAY = date(2026, 11, 23)
SHORT = {
    "spreadsheets.get": "meta",
    "values.batchGet": "batchGet",
    "spreadsheets.batchUpdate": "batchUpdate(sheet)",
    "values.batchUpdate": "batchUpdate(values)",
}


def one_sync(server: SheetsServer, key: str, cfg: Config) -> tuple[Counter[str], int, float]:
    server.counts.clear()
    server.bodies.clear()
    start = time.perf_counter()
    ws = load(cfg, key, TODAY)
    sync(ws, "2026-11-23 09:00:00", "bench")
    seconds = time.perf_counter() - start
    sent = sum(len(str(body).encode()) for _, body in server.bodies)
    return server.api_requests(), sent, seconds


def main(sizes: list[int]) -> None:
    from google.oauth2 import service_account

    # google-auth would look up a "regional access boundary" on the real Google
    service_account.Credentials._is_regional_access_boundary_lookup_required = (  # type: ignore[method-assign]
        lambda self: False
    )
    print(f"{'rows':>7}  {'sync':<7} {'requests':>8}  {'by endpoint':<62} {'sent':>9} {'time':>7}")
    with SheetsServer() as server, tempfile.TemporaryDirectory() as tmp:
        key_file = make_service_account(server, Path(tmp))
        email = key_file.stem + "@sheetcrm-test.iam.gserviceaccount.com"
        gsheets.SETTINGS = Settings(api_url=server.url)
        cfg = Config(language="en", google_credentials=str(key_file))
        for n in sizes:
            rows, managers = make_rows(n, "en", TODAY, seed=3)
            header = [f.header("en") for f in CLIENT_FIELDS]
            mheader = [f.header("en") for f in MANAGER_FIELDS][: len(managers[0])]
            key = server.add_book(
                {"Clients": [header, *rows], "Managers": [mheader, *managers]},
                shared={email: "writer"},
            )
            for label in ("first", "edited"):
                counts, sent, seconds = one_sync(server, key, cfg)
                by = ", ".join(f"{SHORT[k]} {v}" for k, v in sorted(counts.items()))
                total = sum(counts.values())
                print(
                    f"{n:>7}  {label:<7} {total:>8}  {by:<62} {sent / 1e6:>7.2f}MB {seconds:>6.1f}s"
                )
                # a manager marks a client refused and forgets the reason
                sheet = server.books[key].sheet("Clients")
                sheet.put(1 + n // 2, 5, "Refused")
                sheet.put(1 + n // 2, 9, "")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000, 10000, 50000])
