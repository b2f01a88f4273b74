"""A sync costs the same few API requests at 100 rows as at 10,000."""

from __future__ import annotations

import json
import random
from datetime import timedelta

from conftest import EN_HEADERS, EN_MANAGERS, TODAY, client_row

pytest_plugins = ["sheets_server"]  # the `google` fixture

DAY = ["--date", TODAY.isoformat()]


def clients(count: int) -> list[list]:
    rnd = random.Random(count)
    rows = []
    for k in range(count):
        fields = {
            "client": f"Client {k}",
            "phone": f"8 (9{rnd.randint(10, 99)}) {rnd.randint(100, 999)}-{k:04d}",
            "manager": rnd.choice(["Olga", "Ivan", "Petr", ""]),
            "status": rnd.choice(["New", "In progress", "Refused", "Won", "Postponed"]),
            "next_contact": TODAY + timedelta(days=rnd.randint(-20, 20)),
        }
        if k % 3:
            fields["id"] = f"C{k + 1:05d}"
        rows.append(client_row(EN_HEADERS, **fields))
    return rows


def sync_requests(google, run, count: int) -> tuple[dict, dict, dict]:
    key = google.add({"Clients": [list(EN_HEADERS), *clients(count)], "Managers": EN_MANAGERS})
    counts = []
    for i in range(3):
        google.server.counts.clear()
        result = run("sync", google.url(key), *DAY)
        assert result.exit_code == 0, result.output
        counts.append(dict(google.server.api_requests()))
        # someone edits a row between syncs, so that its flags change
        sheet = google.server.books[key].sheet("Clients")
        sheet.put(1, EN_HEADERS.index("Status"), "New")
        sheet.put(1, EN_HEADERS.index("Next contact"), f"0{i + 1}.01.2026")
    return tuple(counts)


def test_requests_per_sync_do_not_grow_with_the_rows(google, run):
    small = sync_requests(google, run, 100)
    large = sync_requests(google, run, 10_000)
    assert small[0] == {
        "spreadsheets.get": 1,  # the tab list and grid sizes
        "values.batchGet": 2,  # the read, and the key columns again just before writing
        "spreadsheets.batchUpdate": 1,  # the Today, Problems, Refusals and Log tabs are new
        "values.batchUpdate": 1,
    }
    # the first sync of 10,000 never-synced rows writes ~3 MB (3,334 IDs, 8,500 flags,
    # 12,000 problems): split in requests under 2 MB; otherwise the same requests
    assert {**large[0], "values.batchUpdate": 1} == small[0]
    assert large[0]["values.batchUpdate"] == 2
    assert small[1:] == large[1:]
    assert small[1] == {"spreadsheets.get": 1, "values.batchGet": 2, "values.batchUpdate": 1}


def test_large_writes_are_split_below_two_megabytes():
    from sheetcrm.backends.gsheets import CHUNK_BYTES, _chunks

    data = [{"range": f"'Clients'!A{r}", "values": [["x" * 1000]]} for r in range(1, 5001)]
    bodies = _chunks(data)
    assert len(bodies) == 3
    assert [vr for b in bodies for vr in b["data"]] == data
    assert all(len(json.dumps(b).encode()) < CHUNK_BYTES for b in bodies)
    assert all(b["valueInputOption"] == "RAW" for b in bodies)
    # one range bigger than a request is split by rows
    tall = {"range": "'Problems'!A1:B4000", "values": [["x" * 500, "y"]] * 4000}
    bodies = _chunks([tall])
    parts = [vr for b in bodies for vr in b["data"]]
    assert len(bodies) == 2
    assert [p["range"] for p in parts] == ["'Problems'!A1:B2000", "'Problems'!A2001:B4000"]
    assert [row for p in parts for row in p["values"]] == tall["values"]
