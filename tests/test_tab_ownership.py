"""sheetcrm writes only its own tabs: a team's tab that bears the name of one of them
is refused, never written over or added to; its own tabs stay writable after
another program saved them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EN_HEADERS, EN_MANAGERS, TODAY, client_row, read_tab, write_book
from openpyxl import load_workbook

DAY = ["--date", TODAY.isoformat()]
CLIENTS = [
    EN_HEADERS,
    client_row(client="Daisy", manager="Olga", status="New", next_contact="20.11.2026"),
    client_row(
        id="C00002", client="Vector", manager="Ivan", status="Won", next_contact="01.12.2026"
    ),
]
DIRECTORS_NOTES = [["Client", "Date", "Director's comment"], ["Vector", "20.11.2026", "call me"]]


def resave(path: Path) -> None:
    """Open and save the workbook as a user's spreadsheet program would."""
    load_workbook(path).save(path)


@pytest.mark.parametrize("tab", ["Refusals", "Today", "problems"])
def test_a_team_tab_named_like_an_owned_tab_is_not_written_over(tmp_path, run, tab):
    path = write_book(
        tmp_path / "crm.xlsx", {"Clients": CLIENTS, "Managers": EN_MANAGERS, tab: DIRECTORS_NOTES}
    )
    before = path.read_bytes()
    for args in (["--dry-run"], []):
        result = run("sync", str(path), *args, *DAY)
        assert result.exit_code == 2
        assert f"tab '{tab}' is the team's, not one sheetcrm made" in result.stderr
        assert f"tabs.{tab.lower()} in config.yaml. Nothing was written." in result.stderr
    assert path.read_bytes() == before


def test_a_team_log_tab_gets_no_rows(tmp_path, run):
    path = write_book(
        tmp_path / "crm.xlsx",
        {"Clients": CLIENTS, "Managers": EN_MANAGERS, "Log": [["Date", "Who", "What"]]},
    )
    before = path.read_bytes()
    synced = run("sync", str(path), *DAY)  # fills an ID: a Log row
    assert synced.exit_code == 2 and "tab 'Log' is the team's" in synced.stderr
    handover = run("handover", str(path), "Olga", "--to", "Ivan", "--apply", *DAY)
    assert handover.exit_code == 2 and "tab 'Log' is the team's" in handover.stderr
    assert path.read_bytes() == before


def test_a_configured_tab_name_points_sheetcrm_elsewhere(tmp_path, run, en_config):
    path = write_book(
        tmp_path / "crm.xlsx",
        {"Clients": CLIENTS, "Managers": EN_MANAGERS, "Refusals": DIRECTORS_NOTES},
    )
    en_config.write_text("language: en\ntabs:\n  refusals: Refusal reasons\n", encoding="utf-8")
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    assert read_tab(path, "Refusals") == DIRECTORS_NOTES
    assert read_tab(path, "Refusal reasons")[0][:3] == ["Reason", "Count", "Share"]


@pytest.mark.parametrize(
    ("key", "name", "why"),
    [
        ("refusals", "Refusal reasons of the sales team", "33 characters, more than the 31"),
        ("today", "Calls 23/11", "it holds '/', which no tab name may"),
        ("log", "Log [changes]", "it holds '['"),
    ],
)
def test_a_tab_name_excel_cannot_hold_is_refused(tmp_path, run, en_config, key, name, why):
    path = write_book(tmp_path / "crm.xlsx", {"Clients": CLIENTS, "Managers": EN_MANAGERS})
    en_config.write_text(f"language: en\ntabs:\n  {key}: {name}\n", encoding="utf-8")
    before = path.read_bytes()
    for args in (["--dry-run"], []):
        result = run("sync", str(path), *args, *DAY)
        assert result.exit_code == 2
        assert f"tabs.{key}: {name!r} cannot name an Excel tab: {why}" in result.stderr
        assert result.stderr.rstrip().endswith("Nothing was written.")
    assert path.read_bytes() == before


def test_the_only_tab_is_the_clients_even_when_named_like_an_owned_tab(tmp_path, run):
    path = write_book(tmp_path / "crm.xlsx", {"Problems": CLIENTS})
    before = path.read_bytes()
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 2 and "tab 'Problems' is the team's" in result.stderr
    assert path.read_bytes() == before


def test_its_own_tabs_saved_by_another_program_stay_its_own(tmp_path, run, en_config):
    en_config.write_text("language: en\nkeep_report_tab: true\n", encoding="utf-8")
    path = write_book(tmp_path / "crm.xlsx", {"Clients": CLIENTS, "Managers": EN_MANAGERS})
    assert run("sync", str(path), *DAY).exit_code == 0
    resave(path)
    # next month: the Report's title names another month, its columns are the same
    result = run("sync", str(path), "--date", "2026-12-02")
    assert result.exit_code == 0, result.output
    assert "01.12.2026 – 31.12.2026" in read_tab(path, "Report")[0][0]
    resave(path)
    handover = run("handover", str(path), "Olga", "--to", "Ivan", "--apply", "--date", "2026-12-02")
    assert handover.exit_code == 0, handover.output
    assert [r[1] for r in read_tab(path, "Log")[1:]] == ["sync", "handover", "handover", "handover"]


def test_its_tabs_renamed_with_a_space_around_are_still_its_own(tmp_path, run):
    path = write_book(tmp_path / "crm.xlsx", {"Clients": CLIENTS, "Managers": EN_MANAGERS})
    assert run("sync", str(path), *DAY).exit_code == 0
    wb = load_workbook(path)
    wb["Today"].title, wb["Log"].title = "Today ", " log"
    wb["Clients"].append(
        client_row(client="Orion", manager="Ivan", status="New", next_contact="20.11.2026")
    )
    wb.save(path)
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    assert load_workbook(path).sheetnames == [
        "Clients", "Managers", "Today ", "Problems", "Refusals", " log"
    ]  # fmt: skip
    assert "Orion" in {row[2] for row in read_tab(path, "Today ")}
    assert [row[3] for row in read_tab(path, " log")[1:]] == ["Daisy", "Orion"]
