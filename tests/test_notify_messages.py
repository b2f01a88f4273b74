"""What the morning messages say: each manager's own deck, the digest's figures, --via dir."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from conftest import TODAY
from notify_book import (
    DIGEST_LINES,
    LISTS,
    assert_only_own_clients,
    ids_in,
    make_book,
    write_config,
)

from sheetcrm.cli import cli
from sheetcrm.config import load_config
from sheetcrm.notify import build
from sheetcrm.workspace import load

DAY = ["--date", TODAY.isoformat()]


def invoke(config, *args):
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def outbox(tmp_path, **notify):
    path = make_book(tmp_path)
    cfg_path = write_config(tmp_path, notify={"head_of_sales": ["boss@example.com"], **notify})
    ws = load(load_config(cfg_path, environ={}), str(path), TODAY)
    return ws, build(ws, "email")


def test_each_manager_gets_only_their_own_deck(tmp_path):
    _, out = outbox(tmp_path)
    lists = {m.name: m for m in out.messages if m.kind != "digest"}
    assert sorted(lists) == ["Ivan", "Maria", "Olga"]  # Anna has no address, Petr has left
    for name, msg in lists.items():
        assert_only_own_clients(name, msg.text, msg.html)
        assert msg.client_ids == LISTS[name]
    assert lists["Olga"].address == "olga@example.com"
    assert lists["Olga"].subject == "Calls for 23.11.2026: 2 (1 overdue)"
    assert (
        "1. Alpha Oil — In progress — due 10.11.2026, 13 day(s) overdue [C01]" in lists["Olga"].text
    )
    assert "Promised: send the price list" in lists["Olga"].text
    assert lists["Ivan"].subject == "Calls for 23.11.2026: 2 (1 overdue)"


def test_the_deck_order_is_the_today_command_s(tmp_path):
    ws, out = outbox(tmp_path)
    result = invoke(
        tmp_path / "config.yaml", "today", ws.backend.path.as_posix(), *DAY, "--format", "json"
    )
    decks: dict[str, list[str]] = {}
    for row in json.loads(result.output):
        decks.setdefault(row["manager"], []).append(row["id"])
    for msg in out.messages:
        if msg.kind == "list":
            assert ids_in(msg.text) == decks[msg.name]


def test_nothing_due_says_so_or_is_skipped(tmp_path):
    _, out = outbox(tmp_path)
    maria = next(m for m in out.messages if m.name == "Maria")
    assert (maria.kind, maria.subject) == ("empty", "Nothing due on 23.11.2026")
    assert "Nothing due on 23.11.2026" in maria.text and ids_in(maria.text) == []
    _, out = outbox(tmp_path, skip_empty=True)
    assert "Maria" not in [m.name for m in out.messages]
    assert out.skipped_empty == ["Maria"]


def test_a_manager_without_an_address_is_reported(tmp_path):
    _, out = outbox(tmp_path)
    assert out.no_address == ["Anna: no e-mail on the Managers tab (row 4); not sent"]


def test_digest_figures(tmp_path):
    _, out = outbox(tmp_path)
    (digest,) = [m for m in out.messages if m.kind == "digest"]
    assert digest.address == "boss@example.com"
    assert digest.subject == "Team digest for 23.11.2026: 4 due, 3 overdue, 3 orphaned"
    lines = [line.strip() for line in digest.text.splitlines()]
    start = lines.index(DIGEST_LINES[0])
    assert lines[start : start + len(DIGEST_LINES)] == DIGEST_LINES
    assert "Clients without a working manager: 3" in lines
    assert "Petr: manager left: 1 — row 8 Golf Group" in lines
    assert "no manager: 1 — row 9 Hotel Hub" in lines
    assert "'Boris': manager not on roster: 1 — row 11 Zulu Zinc" in lines
    # refusals in the seven days 17.11-23.11: C11, C12 (too expensive), C13 (no need); C14 is older
    i = lines.index("Refusals 17.11.2026–23.11.2026: 3")
    assert lines[i + 1 : i + 3] == ["Too expensive: 2 (66.7%)", "No need: 1 (33.3%)"]
    assert "<td>Olga</td>" in digest.html and "Golf Group" in digest.html


def test_russian_messages(tmp_path):
    path = make_book(tmp_path)
    cfg = load_config(
        write_config(tmp_path, language="ru", notify={"head_of_sales": ["Olga"]}), environ={}
    )
    out = build(load(cfg, str(path), TODAY), "email")
    olga = next(m for m in out.messages if m.name == "Olga" and m.kind == "list")
    assert olga.subject == "Звонки на 23.11.2026: 2 (просрочено 1)"
    assert "Доброе утро, Olga." in olga.text and ids_in(olga.text) == ["C01", "C02"]
    digest = next(m for m in out.messages if m.kind == "digest")
    assert digest.address == "olga@example.com"  # a head of sales named from the Managers tab
    assert digest.subject.startswith("Сводка на 23.11.2026: к звонку 4, просрочено 3")
    assert "Petr (не работает): открыто 1" in digest.text


def test_html_escapes_what_the_sheet_holds(tmp_path):
    path = make_book(tmp_path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["Clients"]["B2"] = "<script>alert(1)</script> & Co"
    wb.save(path)
    ws = load(load_config(write_config(tmp_path), environ={}), str(path), TODAY)
    olga = next(m for m in build(ws, "email").messages if m.name == "Olga")
    assert (
        "<script>" not in olga.html
        and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in olga.html
    )
    assert "<script>alert(1)</script> & Co" in olga.text


def test_via_dir_writes_files_once_a_day(tmp_path):
    path = make_book(tmp_path)
    cfg = write_config(tmp_path, notify={"head_of_sales": ["boss@example.com"], "outbox": "out"})
    result = invoke(cfg, "notify", str(path), *DAY, "--via", "dir")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "2026-11-23"
    assert sorted(p.name for p in folder.iterdir()) == [
        "Anna.html",
        "Anna.txt",
        "Ivan.html",
        "Ivan.txt",
        "Maria.html",
        "Maria.txt",
        "Olga.html",
        "Olga.txt",
        "digest-boss@example.com.html",
        "digest-boss@example.com.txt",
    ]  # a folder needs no address: Anna's list is written too
    olga = (folder / "Olga.txt").read_text(encoding="utf-8")
    assert olga.startswith("Subject: Calls for 23.11.2026: 2 (1 overdue)\n")
    assert ids_in(olga) == ["C01", "C02"]
    assert "5 sent." in result.output
    (folder / "Olga.txt").unlink()
    again = invoke(cfg, "notify", str(path), *DAY, "--via", "dir")
    assert again.exit_code == 0
    assert "0 sent, 5 already sent today." in again.output
    assert not (folder / "Olga.txt").exists()
    forced = invoke(cfg, "notify", str(path), *DAY, "--via", "dir", "--force")
    assert "5 sent." in forced.output and (folder / "Olga.txt").exists()


def test_a_manager_listed_among_leavers_gets_no_list_until_her_cell_says(tmp_path):
    from conftest import EN_HEADERS, client_row, write_book
    from notify_book import CLIENTS, MANAGERS

    managers = [*MANAGERS, ["Уволенные:"], ["Lena", "lena@example.com", "", ""]]
    clients = [*CLIENTS, dict(id="C99", client="Zulu", manager="Lena", next_contact="20.11.2026")]
    rows = [client_row(**c) for c in clients]
    tabs = {"Clients": [EN_HEADERS, *rows], "Managers": managers}
    path = write_book(tmp_path / "crm.xlsx", tabs)
    cfg = write_config(tmp_path, notify={"outbox": "out"})
    result = invoke(cfg, "notify", str(path), *DAY, "--via", "dir")
    assert result.exit_code == 0, result.output
    assert (
        "not sent: tab 'Managers', row 8: 'Lena' is listed under 'Уволенные:' (row 7) but the "
        "'Active' cell is blank, which counts as active; write 'no' (нет) there if Lena left"
    ) in result.output
    folder = tmp_path / "out" / "2026-11-23"
    assert not (folder / "Lena.txt").exists() and (folder / "Olga.txt").exists()


def test_via_dir_names_alike_get_a_file_each(tmp_path, book):
    managers = [["Name", "Active"], ["Anna K", "yes"], ["Anna (K)", "yes"], ["anna/k", "yes"]]
    rows = [
        {"id": f"C{i}", "client": client, "manager": name, "next_contact": "23.11.2026"}
        for i, (client, name) in enumerate(
            [("Alpha", "Anna K"), ("Beta", "Anna (K)"), ("Gamma", "anna/k")], start=1
        )
    ]
    path = book(rows, managers=managers)
    cfg = write_config(tmp_path, notify={"outbox": "out"})
    result = invoke(cfg, "notify", str(path), *DAY, "--via", "dir")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "2026-11-23"
    written = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.txt")}
    assert sorted(written) == ["Anna_K-2.txt", "Anna_K.txt", "anna_k-3.txt"]
    assert ids_in(written["Anna_K.txt"]) == ["C1"] and "Anna K." in written["Anna_K.txt"]
    assert ids_in(written["Anna_K-2.txt"]) == ["C2"]
    assert ids_in(written["anna_k-3.txt"]) == ["C3"]
    assert f"({folder / 'Anna_K-2.txt'})" in result.output
    # sent again for one of them alone, her file keeps its name and the others stay hers
    state = tmp_path / ".sheetcrm-sent.json"
    state.write_text(state.read_text(encoding="utf-8").replace('"dir:Anna (K)"', '"x"'))
    again = invoke(cfg, "notify", str(path), *DAY, "--via", "dir")
    assert f"({folder / 'Anna_K-2.txt'})" in again.output and "1 sent, 2 already" in again.output
    assert ids_in((folder / "Anna_K.txt").read_text(encoding="utf-8")) == ["C1"]


def test_dry_run_prints_and_sends_nothing(tmp_path):
    path = make_book(tmp_path)
    cfg = write_config(tmp_path, notify={"head_of_sales": ["boss@example.com"], "outbox": "out"})
    result = invoke(cfg, "notify", str(path), *DAY, "--via", "dir", "--dry-run")
    assert result.exit_code == 0
    assert "--- Olga\nSubject: Calls for 23.11.2026: 2 (1 overdue)" in result.output
    assert re.search(r"^5 would be sent, nothing sent \(dry run\)\.$", result.output, re.M)
    assert not (tmp_path / "out").exists() and not (tmp_path / ".sheetcrm-sent.json").exists()


def test_no_managers_tab_is_a_clear_error(tmp_path, book):
    path = book([{"client": "A", "manager": "Olga", "next_contact": "23.11.2026"}], managers=None)
    result = invoke(write_config(tmp_path), "notify", str(path), *DAY, "--via", "dir")
    assert result.exit_code == 2
    assert "no Managers tab, so nobody to send lists to" in result.output


def test_russian_managers_tab_with_a_telegram_column(tmp_path):
    from conftest import write_book

    headers = ["Клиент", "Менеджер", "Статус", "Следующий контакт", "ID"]
    path = write_book(
        tmp_path / "crm.xlsx",
        {
            "Клиенты": [
                headers,
                ["ООО Ромашка", "Ольга Петрова", "В работе", "20.11.2026", "C1"],
                ["ИП Васильев", "Иван Смирнов", "Новый", "23.11.2026", "C2"],
            ],
            "Менеджеры": [
                ["Имя", "Почта", "Активен", "Телеграм"],
                ["Ольга Петрова", "olga@example.com", "да", 5551],
                ["Иван Смирнов", "", "да", ""],
            ],
        },
    )
    cfg = load_config(write_config(tmp_path, language="ru"), environ={})
    out = build(load(cfg, str(path), TODAY), "telegram")
    (olga,) = out.messages
    assert (olga.name, olga.address, olga.client_ids) == ("Ольга Петрова", "5551", ["C1"])
    assert "1. ООО Ромашка — В работе — срок 20.11.2026, просрочено на 3 дн. [C1]" in olga.text
    assert "ИП Васильев" not in olga.text
    assert out.no_address == [  # in the workbook's language, like the lists
        "Иван Смирнов: нет Telegram chat id во вкладке «Менеджеры» (строка 3); не отправлено"
    ]


def test_notify_reports_in_the_workbook_language(tmp_path):
    path = make_book(tmp_path)
    cfg = write_config(tmp_path, language="ru", notify={"outbox": "out"})
    dry = invoke(cfg, "notify", str(path), *DAY, "--via", "dir", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert re.search(
        r"^будет отправлено: 4, ничего не отправлено \(пробный запуск\)\.$", dry.output, re.M
    )
    sent = invoke(cfg, "notify", str(path), *DAY, "--via", "dir")
    assert re.search(r"^отправлено: 4\.$", sent.output, re.M)
    again = invoke(cfg, "notify", str(path), *DAY, "--via", "dir")
    assert re.search(r"^отправлено: 0, уже отправлено сегодня: 4\.$", again.output, re.M)
    assert "(--force отправит ещё раз)" in again.output


def test_a_head_of_sales_who_left_is_named_in_the_workbook_language(tmp_path):
    path = make_book(tmp_path)
    cfg = write_config(tmp_path, language="ru", notify={"outbox": "out", "head_of_sales": ["Petr"]})
    sent = invoke(cfg, "notify", str(path), *DAY, "--via", "dir")
    assert sent.exit_code == 0, sent.output
    assert not list((tmp_path / "out").glob("*/digest-*"))
    assert (
        "сводка для Petr: менеджер не активен во вкладке «Managers» (строка 6); не отправлено "
        "(уберите имя из notify.head_of_sales)"
    ) in sent.output.splitlines()


def test_without_config_the_lists_go_once_from_any_folder(tmp_path, monkeypatch):
    """The sent lists, the outbox and the heartbeat went into the current folder: a cron
    job run from $HOME and a run by hand beside the workbook each sent every list."""
    (tmp_path / "books").mkdir()
    path = make_book(tmp_path / "books")
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    monkeypatch.setenv("SHEETCRM_LANGUAGE", "en")
    monkeypatch.setenv("SHEETCRM_NOTIFY__VIA", "dir")
    outputs = []
    for folder in (tmp_path / "home", tmp_path / "books", tmp_path / "home"):
        folder.mkdir(exist_ok=True)
        monkeypatch.chdir(folder)
        run = CliRunner().invoke(cli, ["notify", str(path), *DAY], catch_exceptions=False)
        outputs.append(run.output)
    assert "4 sent." in outputs[0]
    assert "0 sent, 4 already sent today." in outputs[1]
    assert "0 sent, 4 already sent today." in outputs[2]
    assert (tmp_path / "books" / ".sheetcrm-sent.json").is_file()
    assert len(list((tmp_path / "books" / "outbox" / TODAY.isoformat()).glob("*.txt"))) == 4
    monkeypatch.chdir(tmp_path / "home")
    cron = CliRunner().invoke(cli, ["run", "--once", str(path)], catch_exceptions=False)
    assert cron.exit_code == 0
    assert (tmp_path / "books" / ".sheetcrm-heartbeat").is_file()
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == []


def test_a_head_of_sales_on_the_roster_without_an_address_is_told_where_to_add_it(tmp_path):
    """It said the setting needs an address "or a name from the Managers tab", which it was."""
    path = make_book(tmp_path)
    cfg = write_config(tmp_path, notify={"head_of_sales": ["Anna"]})
    result = invoke(cfg, "notify", str(path), *DAY, "--dry-run")
    assert result.exit_code == 0, result.output
    assert (
        "no address: digest for Anna: no e-mail on the Managers tab (row 4); not sent"
        in result.output.splitlines()
    )
