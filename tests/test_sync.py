"""sync: what it writes, that it writes nothing else, and the safety rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import EN_MANAGERS, TODAY, read_tab, write_book
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill

from sheetcrm.config import Config
from sheetcrm.errors import ChangedSinceRead, LockedError
from sheetcrm.sync import sync
from sheetcrm.workspace import load

DAY = ["--date", TODAY.isoformat()]
ROWS = [
    {
        "client": "Daisy",
        "phone": "8 (912) 345-67-89",
        "manager": "Olga",
        "status": "In progress",
        "next_contact": "20.11.2026",
        "comment": "send the price",
    },
    {
        "client": "Vector",
        "phone": "+7 912 345 67 89",
        "manager": "Petr",
        "status": "New",
        "next_contact": "01.12.2026",
    },
    {"client": "Orion", "manager": "", "status": "New", "next_contact": "23.11.2026"},
    {"client": "Lost", "manager": "Ivan", "status": "Refused"},
    {"id": "C00007", "client": "Kept ID", "manager": "Ivan", "status": "Won"},
]


def test_sync_fills_ids_writes_flags_and_tabs(book, run):
    path = book(ROWS)
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    assert "fill 4 missing client ID(s)" in result.stdout
    assert "add column(s): Flags" in result.stdout
    clients = read_tab(path, "Clients")
    assert clients[0][-1] == "Flags"
    ids = [r[0] for r in clients[1:]]
    assert ids == ["C00008", "C00009", "C00010", "C00011", "C00007"]
    flags = {r[1]: r[-1] for r in clients[1:]}
    assert flags == {
        "Daisy": "overdue 3d; duplicate of row 3",
        "Vector": "manager left; duplicate of row 2",
        "Orion": "no manager",
        "Lost": "refused, no reason",
        "Kept ID": "",
    }
    today = read_tab(path, "Today")
    assert today[0][:3] == ["Manager", "#", "Client"]
    assert [(r[0], r[2], r[8]) for r in today[1:]] == [
        ("Olga", "Daisy", "C00008"),
        ("(nobody)", "Orion", "C00010"),
    ]
    problems = read_tab(path, "Problems")
    assert ["Row", "Client", "Manager", "Problem"] == problems[0][:4]
    assert {(r[0], r[3]) for r in problems[1:]} >= {
        (2.0, "overdue 3d"),
        (4.0, "no manager"),
        (5.0, "refused, no reason"),
    }
    refusals = read_tab(path, "Refusals")
    assert refusals[1][:3] == ["(no reason given)", 1.0, 1.0]
    assert refusals[3][:4] == ["Manager", "Reason", "Count", "Share"]
    assert refusals[4][:3] == ["Ivan", "(no reason given)", 1.0]
    log = read_tab(path, "Log")
    assert log[0][:7] == ["When", "Command", "ID", "Client", "Field", "Old value", "New value"]
    assert [(r[1], r[2], r[3], r[4], r[6]) for r in log[1:]] == [
        ("sync", "C00008", "Daisy", "ID", "C00008"),
        ("sync", "C00009", "Vector", "ID", "C00009"),
        ("sync", "C00010", "Orion", "ID", "C00010"),
        ("sync", "C00011", "Lost", "ID", "C00011"),
    ]


def test_second_sync_on_same_day_changes_nothing(book, run):
    path = book(ROWS)
    run("sync", str(path), *DAY)
    before = path.read_bytes()
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0
    assert result.stdout.strip() == "crm.xlsx: up to date, nothing to change."
    assert path.read_bytes() == before
    # the next day the Today tab and overdue flags move on
    result = run("sync", str(path), "--date", "2026-11-24")
    assert "update the flags of 2 row(s)" in result.stdout
    clients = read_tab(path, "Clients")
    assert (clients[1][-1], clients[3][-1]) == (
        "overdue 4d; duplicate of row 3",
        "overdue 1d; no manager",
    )


def test_dry_run_writes_nothing(book, run):
    path = book(ROWS)
    before = path.read_bytes()
    result = run("sync", str(path), "--dry-run", *DAY)
    assert result.exit_code == 0
    assert "dry run, nothing written" in result.stdout
    assert "would fill 4 missing client ID(s)" in result.stdout
    assert path.read_bytes() == before
    assert not (path.parent / ".sheetcrm-backups").exists()


@pytest.mark.parametrize("lock", ["~$crm.xlsx", ".~lock.crm.xlsx#"])
def test_refuses_while_the_workbook_is_open(book, run, lock):
    path = book(ROWS)
    before = path.read_bytes()
    (path.parent / lock).write_text("someone")
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 2
    assert (
        "is open in" in result.stderr
        and lock in result.stderr
        and "Nothing was written" in result.stderr
    )
    assert path.read_bytes() == before


def test_a_workbook_reached_by_a_link_is_changed_where_it_lives(book, run, tmp_path):
    shared = book(ROWS)
    link = tmp_path / "desk" / "crm.xlsx"
    link.parent.mkdir()
    link.symlink_to(shared)
    result = run("sync", str(link), *DAY)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == shared.resolve()
    assert [r[0] for r in read_tab(shared, "Clients")[1:]] == [
        "C00008",
        "C00009",
        "C00010",
        "C00011",
        "C00007",
    ]


@pytest.mark.parametrize("beside", ["link", "file"])
def test_a_workbook_open_through_its_link_or_directly_is_refused(book, run, tmp_path, beside):
    shared = book(ROWS)
    link = tmp_path / "desk" / "crm.xlsx"
    link.parent.mkdir()
    link.symlink_to(shared)
    (link if beside == "link" else shared).with_name("~$crm.xlsx").write_text("someone")
    before = shared.read_bytes()
    result = run("sync", str(link), *DAY)
    assert result.exit_code == 2 and "is open in Excel" in result.stderr
    assert shared.read_bytes() == before and link.is_symlink()


def test_refuses_a_read_only_workbook(book, run):
    path = book(ROWS)
    before = path.read_bytes()
    path.chmod(0o444)
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 2
    assert "the file is read-only" in result.stderr and "Nothing was written" in result.stderr
    assert path.read_bytes() == before


def test_the_history_folder_is_made_when_missing(book, run, en_config):
    en_config.write_text("language: en\nhistory:\n  database: data/h.sqlite\n", encoding="utf-8")
    result = run("sync", str(book(ROWS)), *DAY)
    assert result.exit_code == 0, result.output
    assert (en_config.parent / "data" / "h.sqlite").is_file()


def test_a_history_that_cannot_be_stored_says_the_workbook_was_synced(book, run, en_config):
    en_config.write_text("language: en\nhistory:\n  database: data\n", encoding="utf-8")
    (en_config.parent / "data").mkdir()  # a folder where the database file should be
    path = book(ROWS)
    before = path.read_bytes()
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: crm.xlsx: synced, but the history was not stored: ")
    assert path.read_bytes() != before


def test_refuses_when_the_file_changed_since_reading(book):
    path = book(ROWS)
    ws = load(Config(language="en"), str(path), TODAY)
    wb = load_workbook(path)
    wb["Clients"]["O2"] = "edited meanwhile"
    wb.save(path)
    edited = path.read_bytes()
    with pytest.raises(ChangedSinceRead, match="changed since sheetcrm read it"):
        sync(ws, "2026-11-23 09:00:00", "test")
    assert path.read_bytes() == edited


def test_lock_error_is_a_source_error(book):
    path = book(ROWS)
    ws = load(Config(language="en"), str(path), TODAY)
    (path.parent / "~$crm.xlsx").write_text("x")
    with pytest.raises(LockedError):
        sync(ws, "2026-11-23 09:00:00", "test")


def test_backups_are_kept_and_bounded(book, tmp_path, run):
    path = book(ROWS)
    (tmp_path / "config.yaml").write_text("language: en\nbackups: 2\n", encoding="utf-8")
    original = path.read_bytes()
    for day in ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"):
        assert run("sync", str(path), "--date", day).exit_code == 0
    backups = sorted((path.parent / ".sheetcrm-backups").glob("crm.*.xlsx"))
    assert len(backups) == 2
    # the oldest copies went: neither kept copy is the original file
    assert all(b.read_bytes() != original for b in backups)


def test_first_backup_is_the_original_file(book, run):
    path = book(ROWS)
    original = path.read_bytes()
    run("sync", str(path), *DAY)
    (backup,) = (path.parent / ".sheetcrm-backups").glob("crm.*.xlsx")
    assert backup.read_bytes() == original


def _styled_book(tmp_path: Path) -> Path:
    path = write_book(
        tmp_path / "crm.xlsx",
        {
            "Clients": [
                ["Client", "Manager", "Status", "Next contact", "Amount", "Our notes"],
                ["Daisy", "Olga", "In progress", date(2026, 11, 20), 1500.5, "keep me"],
                ["Vector", "Ivan", "New", date(2026, 11, 30), 70000, ""],
            ],
            "Managers": EN_MANAGERS,
            "Notes": [["team notes", 42]],
        },
    )
    wb = load_workbook(path)
    ws = wb["Clients"]
    ws["A2"].font = Font(bold=True, color="FF0000")
    ws["E2"].number_format = "#,##0.00 ₽"
    ws["F2"].fill = PatternFill("solid", start_color="FFFFFF00")
    ws.row_dimensions[3].hidden = True
    wb.save(path)
    return path


def _cells(path: Path) -> dict[tuple[str, str], tuple]:
    wb = load_workbook(path)
    out = {}
    for name in ("Clients", "Managers", "Notes"):
        for row in wb[name].iter_rows():
            for c in row:
                out[(name, c.coordinate)] = (
                    c.value,
                    c.number_format,
                    c.font.b,
                    c.font.color and c.font.color.rgb,
                    c.fill.fgColor.rgb if c.fill and c.fill.fill_type else None,
                )
    return out


def test_every_team_cell_keeps_its_value_and_format(tmp_path, run):
    path = _styled_book(tmp_path)
    before = _cells(path)
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    after = _cells(path)
    owned = {
        k for k in after if k[0] == "Clients" and k[1][0] in "GH"
    }  # the added ID and Flags columns
    assert {k: v for k, v in after.items() if k not in owned} == before
    assert load_workbook(path)["Clients"].row_dimensions[3].hidden


def test_formula_looking_text_stays_text(book, run):
    path = book(
        [
            {"client": "=1+1", "manager": "Olga", "status": "New", "next_contact": "23.11.2026"},
            {
                "client": '=HYPERLINK("http://x")',
                "manager": "Olga",
                "status": "New",
                "next_contact": "23.11.2026",
            },
        ]
    )
    assert run("sync", str(path), *DAY).exit_code == 0
    wb = load_workbook(path)
    today = wb["Today"]
    assert (today["C2"].value, today["C2"].data_type) == ("=1+1", "s")
    assert today["C3"].data_type == "s"
    assert (wb["Clients"]["B2"].value, wb["Clients"]["B2"].data_type) == ("=1+1", "s")


def test_team_columns_named_code_or_problems_are_not_taken_for_owned_ones(tmp_path, run):
    headers = ["Клиент", "Менеджер", "Статус", "Следующий контакт", "Проблемы", "Код"]
    rows = [
        ["Daisy", "Olga", "In progress", "24.11.2026", "не берёт трубку", "INN-1"],
        ["Vector", "Olga", "In progress", "20.11.2026", "", ""],
    ]
    path = write_book(tmp_path / "crm.xlsx", {"Clients": [headers, *rows], "Managers": EN_MANAGERS})
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    after = read_tab(path, "Clients")
    assert after[0] == [*headers, "ID", "Flags"]
    assert [r[:6] for r in after[1:]] == rows  # the team's notes and codes as they were
    assert [r[6] for r in after[1:]] == ["C00001", "C00002"]
    assert after[2][7].startswith("overdue")


def test_a_column_it_adds_goes_right_of_notes_in_a_column_without_a_header(tmp_path, run):
    headers = ["Client", "Manager", "Status", "Next contact"]
    rows = [
        ["Daisy", "Olga", "In progress", "20.11.2026", "call after 3 pm!"],
        ["Vector", "Olga", "In progress", "24.11.2026", ""],
        ["Orion", "Olga", "In progress", "25.11.2026", "", "VIP"],
    ]
    path = write_book(tmp_path / "crm.xlsx", {"Clients": [headers, *rows], "Managers": EN_MANAGERS})
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    after = read_tab(path, "Clients")
    assert after[0] == [*headers, "", "", "ID", "Flags"]
    assert [r[:6] for r in after[1:]] == [(r + [""])[:6] for r in rows]  # the notes kept
    assert [r[6] for r in after[1:]] == ["C00001", "C00002", "C00003"]
    assert after[1][7] == "overdue 3d"
    assert run("sync", str(path), *DAY).stdout.strip().endswith("up to date, nothing to change.")


def test_backups_of_another_workbook_are_left_alone(book, tmp_path, run):
    path = book(ROWS)
    (tmp_path / "config.yaml").write_text("language: en\nbackups: 2\n", encoding="utf-8")
    folder = path.parent / ".sheetcrm-backups"
    folder.mkdir()
    # crm.old.xlsx's backups match crm.*.xlsx and sort after crm.2026...
    others = [folder / f"crm.old.2026112{d}-090000-000000.xlsx" for d in (0, 1, 2)]
    for other in others:
        other.write_bytes(b"another workbook")
    original = path.read_bytes()
    assert run("sync", str(path), *DAY).exit_code == 0, "sync failed"
    assert all(other.exists() for other in others)
    (own,) = [p for p in folder.iterdir() if p not in others]
    assert own.read_bytes() == original


def test_the_backup_just_made_is_kept_when_the_clock_went_back(book, tmp_path, run):
    path = book(ROWS)
    (tmp_path / "config.yaml").write_text("language: en\nbackups: 1\n", encoding="utf-8")
    folder = path.parent / ".sheetcrm-backups"
    folder.mkdir()
    later = folder / "crm.20991231-235959-000000.xlsx"  # made before the clock was set back
    later.write_bytes(b"older copy")
    original = path.read_bytes()
    assert run("sync", str(path), *DAY).exit_code == 0
    (kept,) = folder.iterdir()
    assert kept.read_bytes() == original
