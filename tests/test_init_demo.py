"""init and demo: new workbooks a team can start from."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import TODAY, read_tab
from openpyxl import load_workbook


def test_init_russian_workbook_layout(tmp_path, run):
    path = tmp_path / "crm.xlsx"
    result = run("init", str(path), "--lang", "ru")
    assert result.exit_code == 0, result.output
    wb = load_workbook(path)
    assert wb.sheetnames == ["Клиенты", "Менеджеры"]
    ws = wb["Клиенты"]
    headers = [c.value for c in ws[1]]
    assert headers[:7] == [
        "ID",
        "Клиент",
        "Телефон",
        "Email",
        "Менеджер",
        "Статус",
        "Следующий контакт",
    ]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:P")
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["F2"] == '"Новый,В работе,Перенос,Успех,Отказ"'
    assert lists["E2"] == "'Менеджеры'!$A$2:$A$500"
    assert "Дорого" in lists["J2"]
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert any("TODAY()" in r.formula[0] and "Успех" in r.formula[0] for r in rules)
    assert ws.column_dimensions["G"].number_format == "DD.MM.YYYY"
    assert [c.value for c in wb["Менеджеры"][1]][:3] == ["Имя", "Email", "Активен"]


def test_init_english_with_examples_is_ready_to_sync(tmp_path, run):
    path = tmp_path / "crm.xlsx"
    assert run("init", str(path), "--lang", "en", "--example").exit_code == 0
    assert load_workbook(path).sheetnames == ["Clients", "Managers"]
    result = run("check", str(path))
    assert result.exit_code == 0, result.output
    result = run("sync", str(path))
    assert result.exit_code == 0
    assert "fill 3 missing client ID(s)" in result.stdout


def test_init_does_not_overwrite(tmp_path, run):
    path = tmp_path / "crm.xlsx"
    path.write_bytes(b"precious")
    result = run("init", str(path))
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert path.read_bytes() == b"precious"
    assert run("init", str(tmp_path / "crm.txt")).exit_code == 2


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_init_workbook_opens_in_libreoffice(tmp_path, run):
    path = tmp_path / "crm.xlsx"
    run("init", str(path), "--example", "--lang", "ru")
    done = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path / "out"),
            str(path),
        ],
        capture_output=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / "crm.csv").read_text(encoding="utf-8", errors="replace")
    assert text.startswith("ID,Клиент,Телефон")


def test_demo_builds_syncs_and_reports(tmp_path, run):
    result = run("demo", str(tmp_path / "d"), "--date", TODAY.isoformat(), "--clients", "120")
    assert result.exit_code == 0, result.output
    path = tmp_path / "d" / "клиенты.xlsx"
    assert "(120 клиентов, 5 менеджеров, один из них уволился)" in result.stdout
    assert "заполнено недостающих ID клиентов: 120" in result.stdout
    for code_label in (
        "просрочен",
        "менеджер уволился",
        "отказ без причины",
        "менеджера нет в списке",
        "нет даты контакта",
        "дубли",
    ):
        assert code_label in result.stdout
    assert len(read_tab(path, "Сегодня")) > 5
    # the workbook it built really holds the broken rows it promises
    check = run("check", str(path), "--date", TODAY.isoformat(), "--format", "json")
    assert check.exit_code == 1
    assert "неверная дата" not in check.stdout  # messages follow the config language (en here)


def test_demo_is_deterministic(tmp_path, run):
    first = run("demo", str(tmp_path / "a"), "--date", TODAY.isoformat(), "--clients", "60").stdout
    second = run("demo", str(tmp_path / "b"), "--date", TODAY.isoformat(), "--clients", "60").stdout
    assert first.replace(str(tmp_path / "a"), "X") == second.replace(str(tmp_path / "b"), "X")


def test_demo_does_not_overwrite_a_team_workbook(tmp_path, run):
    """`sheetcrm demo . --lang en` beside a team's own crm.xlsx must leave it alone."""
    team = tmp_path / "crm.xlsx"
    assert run("init", str(team), "--lang", "en", "--example").exit_code == 0
    before = team.read_bytes()
    result = run("demo", str(tmp_path), "--lang", "en", "--clients", "20")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: {team} already exists and is not a demo workbook; "
        "give the demo a folder of its own: sheetcrm demo DIR"
    )
    assert team.read_bytes() == before
    assert not (tmp_path / ".sheetcrm-backups").exists()


def test_demo_run_again_rebuilds_its_own_workbook(tmp_path, run):
    args = ("demo", str(tmp_path / "d"), "--date", TODAY.isoformat(), "--clients", "20")
    first = run(*args)
    assert first.exit_code == 0, first.output
    second = run(*args)
    assert second.exit_code == 0, second.output
    (line,) = [x for x in second.stdout.splitlines(True) if x.startswith("Прежняя книга")]
    kept = Path(line.removeprefix("Прежняя книга сохранена как ").strip())
    assert kept.parent == tmp_path / "d" / ".sheetcrm-backups" and kept.is_file()
    assert second.stdout.replace(line, "") == first.stdout  # seeded: the same workbook again


@pytest.mark.parametrize("lock", ["~$клиенты.xlsx", ".~lock.клиенты.xlsx#"])
def test_demo_run_again_leaves_its_workbook_open_in_excel_alone(tmp_path, run, lock):
    """The demo workbook open and edited in Excel or LibreOffice was rebuilt under them,
    the edits lost, and only the sync after it saw the lock file."""
    args = ("demo", str(tmp_path), "--date", TODAY.isoformat(), "--clients", "20")
    assert run(*args).exit_code == 0
    path = tmp_path / "клиенты.xlsx"
    before = path.read_bytes()
    (tmp_path / lock).write_text("someone")
    result = run(*args)
    assert result.exit_code != 0
    assert "the workbook is open in" in result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("name", ["new.xlsm", "new.XLSM", "new.xls", "new"])
def test_init_refuses_a_name_excel_would_not_open(tmp_path, run, name):
    """A workbook without macros saved as .xlsm is refused by Excel ("the file format or
    file extension is not valid")."""
    result = run("init", str(tmp_path / name))
    assert result.exit_code == 2
    assert "must end in .xlsx" in result.stderr
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("lock", ["~$crm.xlsx", ".~lock.crm.xlsx#"])
def test_init_force_refuses_a_workbook_that_is_open(tmp_path, run, lock):
    path = tmp_path / "crm.xlsx"
    path.write_bytes(b"the team's clients")
    (tmp_path / lock).write_text("someone")
    result = run("init", str(path), "--force")
    assert result.exit_code != 0
    assert "the workbook is open in" in result.stderr
    assert path.read_bytes() == b"the team's clients"


def test_init_force_keeps_a_backup_of_what_it_overwrites(tmp_path, run):
    path = tmp_path / "crm.xlsx"
    path.write_bytes(b"the team's clients")
    result = run("init", str(path), "--force")
    assert result.exit_code == 0, result.output
    (kept,) = (tmp_path / ".sheetcrm-backups").iterdir()
    assert kept.read_bytes() == b"the team's clients"
    assert str(kept) in result.stdout
    assert path.read_bytes() != b"the team's clients"
