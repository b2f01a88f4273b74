"""handover and assign count only what was written: a row gone meanwhile is named, not counted."""

from __future__ import annotations

import json
from datetime import date

from conftest import EN_HEADERS, EN_MANAGERS, TODAY, client_row

pytest_plugins = ["sheets_server"]  # the `google` fixture

DAY = ["--date", TODAY.isoformat()]


def _olga_book(google):
    rows = [
        {
            "id": f"C{k:05d}",
            "client": f"Client {k}",
            "manager": "Olga",
            "status": "In progress",
            "next_contact": date(2026, 11, 25),
        }
        for k in range(1, 4)
    ]
    body = [client_row(EN_HEADERS, **r) for r in rows]
    key = google.add({"Clients": [list(EN_HEADERS), *body], "Managers": EN_MANAGERS})

    def delete(server):
        server.books[key].sheet("Clients").delete_row(2)  # Client 2 deleted meanwhile

    google.server.before("values.batchGet", delete, nth=2)
    return key


def _three_leads(google, tmp_path):
    rows = [
        {"id": f"C{k:05d}", "client": f"Lead {k}", "status": "New", "next_contact": "25.11.2026"}
        for k in range(1, 4)
    ]
    body = [client_row(EN_HEADERS, **r) for r in rows]
    key = google.add({"Clients": [list(EN_HEADERS), *body], "Managers": EN_MANAGERS})
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Olga, Ivan]\n", encoding="utf-8")
    return key, config


def _delete_lead_2(google, key):
    def delete(server):
        server.books[key].sheet("Clients").delete_row(2)

    google.server.before("values.batchGet", delete, nth=2)


def test_handover_counts_only_the_clients_written(google, run):
    key = _olga_book(google)
    result = run("handover", google.url(key), "Olga", "--to", "Ivan", "--apply", *DAY)
    assert result.exit_code == 0, result.output
    assert "Handed 2 client(s) over from Olga" in result.stdout
    assert "ID C00002: no longer in the sheet" in result.stderr
    assert (
        "1 client(s) NOT handed over: their rows changed while writing (see the warnings above); "
        "run the handover again for them: Client 2 (C00002, was on row 3)"
    ) in result.stdout


def test_handover_json_counts_only_the_clients_written(google, run):
    key = _olga_book(google)
    args = ["handover", google.url(key), "Olga", "--to", "Ivan", "--apply", "--format", "json"]
    result = run(*args, *DAY)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["handed_over"] == 2
    assert doc["not_written"] == [{"id": "C00002", "client": "Client 2", "row": 3}]


def test_assign_counts_only_the_clients_written(google, run, tmp_path):
    key, config = _three_leads(google, tmp_path)
    _delete_lead_2(google, key)
    result = run("assign", google.url(key), "--apply", *DAY, config=config)
    assert result.exit_code == 0, result.output
    assert "Assigned 2 client(s)" in result.stderr
    assert "1 client(s) NOT assigned" in result.stderr
    assert "run assign again for them: Lead 2 (C00002, was on row 3)" in result.stderr


def test_undo_counts_only_the_cells_written(google, run, tmp_path):
    key, config = _three_leads(google, tmp_path)
    assert run("assign", google.url(key), "--apply", *DAY, config=config).exit_code == 0
    _delete_lead_2(google, key)
    result = run("undo", google.url(key), "--apply", config=config)
    assert result.exit_code == 0, result.output
    assert "Restored 2 cell(s) of the assign" in result.stdout
    assert "1 cell(s) NOT restored: their rows changed while writing" in result.stdout


def test_undo_leaves_a_google_cell_the_team_made_a_formula_since(google, run):
    from sheets_server import Formula

    body = [client_row(EN_HEADERS, id="C00001", client="Daisy", manager="Olga", status="New")]
    key = google.add({"Clients": [list(EN_HEADERS), *body], "Managers": EN_MANAGERS})
    assert run("handover", google.url(key), "Olga", "--to", "Ivan", "--apply", *DAY).exit_code == 0
    formula = Formula("=Managers!A3")
    formula.value = "Ivan"  # what the sheet shows: what handover wrote
    google.server.books[key].sheet("Clients").put(1, 4, formula)
    result = run("undo", google.url(key), "--apply")
    assert result.exit_code == 0, result.output
    assert "left alone: row 2, column 'Manager' now holds a formula (=Managers!A3)" in (
        result.stdout
    )
    assert google.server.books[key].sheet("Clients").get(1, 4) is formula
    assert google.server.values(key, "Managers")[1][2] == "yes"  # the rest is restored


def test_assign_leaves_a_google_manager_cell_holding_a_formula(google, run, tmp_path):
    from sheets_server import Formula

    rows = [
        {"id": f"C{k:05d}", "client": f"Lead {k}", "status": "New", "next_contact": "25.11.2026"}
        for k in range(1, 3)
    ]
    body = [client_row(EN_HEADERS, **r) for r in rows]
    key = google.add({"Clients": [list(EN_HEADERS), *body], "Managers": EN_MANAGERS})
    formula = Formula('=IF(K2="Moscow","Olga","")')
    formula.value = ""
    google.server.books[key].sheet("Clients").put(1, 4, formula)
    config = tmp_path / "pool.yaml"
    config.write_text("language: en\nrouting:\n  pool: [Ivan]\n", encoding="utf-8")
    result = run("assign", google.url(key), "--apply", *DAY, config=config)
    assert result.exit_code == 0, result.output
    assert "Assigned 1 client(s)" in result.stderr
    assert 'row 2, column \'Manager\' holds a formula (=IF(K2="Moscow","Olga",""))' in (
        result.stderr
    )
    kept = google.server.books[key].sheet("Clients").get(1, 4)
    assert isinstance(kept, Formula) and kept.text == formula.text
    assert google.server.values(key, "Clients")[2][4] == "Ivan"


def test_assign_json_and_csv_tell_which_clients_were_written(google, run, tmp_path):
    """--format json|csv|md listed a client whose row was deleted while writing as assigned."""
    key, config = _three_leads(google, tmp_path)
    preview = run("assign", google.url(key), "--format", "json", *DAY, config=config)
    assert "written" not in json.loads(preview.stdout)[0]  # a preview writes nothing
    _delete_lead_2(google, key)
    args = ["assign", google.url(key), "--apply", "--format", "json", *DAY]
    result = run(*args, config=config)
    assert result.exit_code == 0, result.output
    got = {r["client"]: (r["to"], r["written"]) for r in json.loads(result.stdout)}
    assert got == {"Lead 1": ("Olga", True), "Lead 2": ("Ivan", False), "Lead 3": ("Olga", True)}

    key, config = _three_leads(google, tmp_path)
    _delete_lead_2(google, key)
    args = ["assign", google.url(key), "--apply", "--format", "csv", *DAY]
    lines = run(*args, config=config).stdout.splitlines()
    assert lines[0].endswith(",written") and lines[2].endswith(",False")


def test_undo_json_tells_which_cells_were_not_restored(google, run, tmp_path):
    key, config = _three_leads(google, tmp_path)
    assert run("assign", google.url(key), "--apply", *DAY, config=config).exit_code == 0
    _delete_lead_2(google, key)
    result = run("undo", google.url(key), "--apply", "--format", "json", config=config)
    assert result.exit_code == 0, result.output
    got = {r["client"]: r["action"] for r in json.loads(result.stdout)}
    assert got["Lead 1"] == got["Lead 3"] == "restore"
    assert got["Lead 2"] == "NOT restored: its row changed while writing"
