"""The once-a-day state file: kept short, written whole, a broken one is a clear error."""

from __future__ import annotations

import json
from datetime import date

import pytest

from sheetcrm.errors import SourceError
from sheetcrm.sent_state import KEEP_DAYS, SentState


def test_records_survive_a_reload_and_old_days_are_dropped(tmp_path):
    path = tmp_path / "state" / "sent.json"
    state = SentState.load(path)
    state.record(date(2026, 10, 1), "email:Olga", at="2026-10-01T08:30:00+03:00")
    state.record(date(2026, 11, 23), "email:Olga", at="2026-11-23T08:30:00+03:00")
    state.mark_complete(date(2026, 11, 23), "2026-11-23T08:30:01+03:00")
    state.save(date(2026, 11, 23))
    again = SentState.load(path)
    assert again.sent(date(2026, 11, 23), "email:Olga") == {"at": "2026-11-23T08:30:00+03:00"}
    assert again.complete(date(2026, 11, 23)) and not again.complete(date(2026, 11, 24))
    assert list(json.loads(path.read_text())["days"]) == ["2026-11-23"]  # older than KEEP_DAYS
    assert [p.name for p in path.parent.iterdir()] == ["sent.json"]  # no temporary file left
    # a run for a past date keeps the newer days
    again.record(date(2026, 11, 23 - KEEP_DAYS), "email:Ivan", at="x")
    again.save(date(2026, 11, 23 - KEEP_DAYS))
    assert sorted(json.loads(path.read_text())["days"]) == ["2026-11-09", "2026-11-23"]


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"days": 3}'])
def test_a_broken_state_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "sent.json"
    path.write_text(content)
    with pytest.raises(SourceError, match=r"sent.json: .*delete it to start afresh"):
        SentState.load(path)
