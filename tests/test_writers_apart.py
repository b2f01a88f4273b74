"""Two sheetcrm commands writing one workbook at once: the second waits for the first."""

from __future__ import annotations

import subprocess
import sys
import threading
from contextlib import ExitStack
from pathlib import Path

from conftest import TODAY, read_tab
from test_gsheets_commands import tabs_of
from test_sync import ROWS

from sheetcrm.backends import safety
from sheetcrm.config import Config, load_config
from sheetcrm.plan import CellChange, Plan
from sheetcrm.sync import sync
from sheetcrm.workspace import load

pytest_plugins = ["sheets_server"]  # the `google` fixture

ROOT = Path(__file__).parent.parent
DAY = ["--date", TODAY.isoformat()]


def _sync_in_thread(
    source: Path | str, cfg: Config | None = None
) -> tuple[threading.Thread, list[object]]:
    """A sync of `source` on its own thread, as a writer; its outcome lands in the list."""
    outcome: list[object] = []

    def work() -> None:
        try:
            with ExitStack() as held:
                config = cfg or Config(language="en")
                ws = load(config, str(source), TODAY, hold=held.enter_context)
                outcome.append(sync(ws, "2026-11-23 09:00:00", "cron"))
        except Exception as exc:  # reported by the test
            outcome.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    return thread, outcome


def test_a_writer_waits_for_the_one_writing_then_reads_what_it_wrote(book):
    path = book(ROWS)
    with safety.one_writer(path, "another"):  # another command, writing
        thread, outcome = _sync_in_thread(path)
        thread.join(0.5)
        assert thread.is_alive() and not outcome  # waiting, not yet read
        # what the other command writes meanwhile (here: it gives Orion a manager)
        ws = load(Config(language="en"), str(path), TODAY)
        orion = next(c for c in ws.table.clients if c.client == "Orion")
        column = ws.table.columns["manager"]
        ws.backend.apply(
            Plan(cells=[CellChange("Clients", orion.row, column, "manager", "", "Ivan")]),
            ws.snapshot,
        )
    thread.join(20)
    assert len(outcome) == 1 and not isinstance(outcome[0], Exception), outcome
    clients = read_tab(path, "Clients")
    header = clients[0]
    orion_row = next(r for r in clients if r[1] == "Orion")
    assert orion_row[header.index("Manager")] == "Ivan"  # the first writer's change kept
    assert "no manager" not in orion_row[header.index("Flags")]  # and seen by the second


def test_a_writer_gives_up_after_waiting_and_writes_nothing(book, run, monkeypatch):
    path = book(ROWS)
    before = path.read_bytes()
    monkeypatch.setattr(safety, "WRITER_WAIT", 0.3)
    with safety.one_writer(path, "another"):
        result = run("sync", str(path), *DAY)
        assert result.exit_code == 2
        assert result.stderr.startswith(
            f"Error: {path}: another sheetcrm command has been writing to it for 0.3 s "
            "(it holds .crm.xlsx.sheetcrm-lock); nothing was written."
        )
        assert path.read_bytes() == before
        # commands that only read do not wait, nor does a preview
        assert run("today", str(path), *DAY).exit_code == 0
        assert run("sync", str(path), "--dry-run", *DAY).exit_code == 0
        assert run("handover", str(path), "Petr", *DAY).exit_code == 0
    assert run("sync", str(path), *DAY).exit_code == 0  # let go: the next one writes


def test_syncs_and_a_handover_started_together_all_land(book, en_config):
    path = book(ROWS)
    base = [sys.executable, "-m", "sheetcrm", "--config", str(en_config)]
    commands = [
        *([*base, "sync", str(path), *DAY] for _ in range(3)),
        [*base, "handover", str(path), "Petr", "--apply", "--by", "Head", *DAY],
    ]
    running = [
        subprocess.Popen(c, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    for process in running:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    clients = read_tab(path, "Clients")
    header = clients[0]
    vector = next(r for r in clients if r[1] == "Vector")
    assert vector[header.index("Manager")] not in ("Petr", "")  # handed over
    assert vector[header.index("ID")] and "Flags" in header  # and synced
    assert not list(path.parent.glob(".crm.sheetcrm-tmp*"))


def test_two_syncs_of_a_google_sheet_at_once_log_each_new_id_once(google, en_config):
    key = google.add(tabs_of(ROWS))
    cfg = load_config(str(en_config))
    runs = [_sync_in_thread(google.url(key), cfg) for _ in range(2)]
    for thread, outcome in runs:
        thread.join(30)
        assert len(outcome) == 1 and not isinstance(outcome[0], Exception), outcome
    log = google.server.values(key, "Log")
    given = [row[2] for row in log[1:] if row[log[0].index("Field")] == "ID"]
    assert sorted(given) == ["C00008", "C00009", "C00010", "C00011"], log  # once each


def test_a_google_sheet_writer_gives_up_after_waiting(google, run, en_config, monkeypatch):
    key = google.add(tabs_of(ROWS))
    monkeypatch.setattr(safety, "WRITER_WAIT", 0.3)
    with safety.one_writer(en_config.parent / key, "another"):
        result = run("sync", google.url(key), *DAY)
        assert result.exit_code == 2
        assert result.stderr.startswith(
            f"Error: Google Sheet {key}: another sheetcrm command has been writing to it"
        )
        assert "Flags" not in google.server.values(key, "Clients")[0]  # nothing written
    assert run("sync", google.url(key), *DAY).exit_code == 0
