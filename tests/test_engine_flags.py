"""Operational problems on plain tables: overdue, orphans, duplicates, refusals
without a reason, closed-but-dated and stale clients."""

from __future__ import annotations

from dataclasses import replace

from conftest import EN_HEADERS, TODAY
from plain import EN, TEAM, by_row, clients_table, roster

from sheetcrm.engine.flags import all_findings, flags, flags_text
from sheetcrm.table import Roster


def ok(name: str, **more: object) -> dict:
    """An open client with nothing wrong, due tomorrow."""
    return {
        "client": name,
        "manager": "Olga",
        "status": "In progress",
        "next_contact": "24.11.2026",
        **more,
    }


def test_each_kind_of_orphan_is_its_own_finding_on_its_own_column():
    table = clients_table(
        [
            ok("No manager", manager=""),
            ok("Unknown manager", manager="Sergey"),
            ok("Manager left", manager="petr"),
            ok("No next date", next_contact=""),
            ok("Fine"),
            {"client": "Won, no manager", "status": "Won"},
            ok("Left and undated", manager="Petr", next_contact=""),
        ]
    )
    found = flags(table, TEAM, EN, TODAY)
    assert by_row(found) == {
        2: ["no_manager"],
        3: ["unknown_manager"],
        4: ["inactive_manager"],
        5: ["no_next_contact"],
        8: ["inactive_manager", "no_next_contact"],
    }
    columns = {(f.row, f.code): f.column for f in found}
    assert columns[2, "no_manager"] == "Manager"
    assert columns[3, "unknown_manager"] == "Manager"
    assert columns[5, "no_next_contact"] == "Next contact"
    unknown = next(f for f in found if f.code == "unknown_manager")
    assert unknown.message == "'Sergey': manager not on roster"
    left = next(f for f in found if f.row == 4)
    assert left.message == "Petr: manager left"  # the roster's spelling
    assert left.hint == "Petr is marked inactive; hand the client over"


def test_a_manager_written_short_or_reordered_is_unknown_with_the_roster_name_suggested():
    team = roster("Иванова Ольга", "Петров Сергей", "Петрова Анна", inactive=["Сидоров Иван"])
    written = [
        "Иванова",  # the surname alone
        "ольга иванова",  # another order, another case
        "Иванова О.",  # with an initial
        "Сидоров",  # a leaver's surname: the roster name all the same
        "Петров",  # one Петров, one Петрова: Петров Сергей
        "Ольга",  # the first name alone, one Ольга on the tab
        "Иванов",  # no one
        "Иванова Мария",  # another person
    ]
    table = clients_table([ok(f"Client {n}", manager=name) for n, name in enumerate(written)])
    hints = [f.hint for f in flags(table, team, EN, TODAY)]
    like = "is not on the Managers tab; if it is {!r}, write the name as the Managers tab does"
    plain = "is not on the Managers tab; add them or pick one listed"
    assert hints == [
        f"'Иванова' {like.format('Иванова Ольга')}",
        f"'ольга иванова' {like.format('Иванова Ольга')}",
        f"'Иванова О.' {like.format('Иванова Ольга')}",
        f"'Сидоров' {like.format('Сидоров Иван')}",
        f"'Петров' {like.format('Петров Сергей')}",
        f"'Ольга' {like.format('Иванова Ольга')}",
        f"'Иванов' {plain}",
        f"'Иванова Мария' {plain}",
    ]
    # a hint only: every one of them stays an unknown manager
    assert {f.code for f in flags(table, team, EN, TODAY)} == {"unknown_manager"}


def test_a_surname_two_managers_share_suggests_neither():
    team = roster("Иванова Ольга", "Иванова Мария")
    table = clients_table([ok("Client", manager="Иванова")])
    (found,) = flags(table, team, EN, TODAY)
    assert found.hint == "'Иванова' is not on the Managers tab; add them or pick one listed"


def test_without_a_managers_tab_only_a_missing_manager_is_an_orphan():
    table = clients_table([ok("No manager", manager=""), ok("Sergey's", manager="Sergey")])
    assert by_row(flags(table, Roster([], known=False), EN, TODAY)) == {2: ["no_manager"]}


def test_an_unreadable_next_date_is_a_bad_date_not_a_missing_one():
    table = clients_table([ok("Typo", next_contact="31.02.2026")])
    found = all_findings(table, TEAM, EN, TODAY)
    assert [(f.row, f.code, f.column) for f in found] == [(2, "bad_date", "Next contact")]


def test_the_same_phone_spelled_three_ways_is_one_duplicate_group():
    table = clients_table(
        [
            ok("A", phone="+7 912 345-67-89"),
            ok("B", phone="8 (912) 3456789"),
            ok("C", phone="89123456789"),
            ok("D", phone="+7 912 345-67-80"),
            ok("E", phone=89123456789.0),  # typed as a number
        ]
    )
    found = [f for f in flags(table, TEAM, EN, TODAY) if f.code == "duplicate"]
    assert [(f.row, f.column, f.label) for f in found] == [
        (2, "Phone", "duplicate of row 3, 4, 6"),
        (3, "Phone", "duplicate of row 2, 4, 6"),
        (4, "Phone", "duplicate of row 2, 3, 6"),
        (6, "Phone", "duplicate of row 2, 3, 4"),
    ]
    assert found[0].hint == "same phone +79123456789 on row 3, 4, 6; merge or remove one"


def test_the_same_email_in_other_case_and_spacing_is_a_duplicate():
    table = clients_table(
        [
            ok("A", email="Olga.Client@Example.com"),
            ok("B", email="  olga.client@example.COM "),
            ok("C", email="other@example.com"),
        ]
    )
    found = [f for f in flags(table, TEAM, EN, TODAY) if f.code == "duplicate"]
    assert [(f.row, f.column, f.label) for f in found] == [
        (2, "Email", "duplicate of row 3"),
        (3, "Email", "duplicate of row 2"),
    ]


def test_closed_clients_are_duplicates_too_but_empty_contacts_are_not():
    table = clients_table(
        [
            ok("A", phone="8 912 345 67 89"),
            {
                "client": "A again",
                "status": "Refused",
                "refusal_reason": "No need",
                "phone": "+79123456789",
            },
            ok("No phone 1"),
            ok("No phone 2"),
        ]
    )
    assert by_row(flags(table, TEAM, EN, TODAY)) == {2: ["duplicate"], 3: ["duplicate"]}


def test_refused_without_a_reason_and_closed_with_a_next_date():
    table = clients_table(
        [
            {"client": "No reason", "manager": "Olga", "status": "Refused"},
            {
                "client": "With reason",
                "manager": "Olga",
                "status": "Refused",
                "refusal_reason": "No need",
            },
            {
                "client": "Won, dated",
                "manager": "Olga",
                "status": "Won",
                "next_contact": "01.12.2026",
            },
            {
                "client": "Refused, dated",
                "manager": "Olga",
                "status": "Refused",
                "refusal_reason": "Other",
                "next_contact": "20.11.2026",
            },
        ]
    )
    found = flags(table, TEAM, EN, TODAY)
    assert by_row(found) == {
        2: ["refused_no_reason"],
        4: ["closed_with_next"],
        5: ["closed_with_next"],
    }
    no_reason = found[0]
    assert no_reason.column == "Refusal reason"
    assert no_reason.hint == (
        "a refusal reason: Too expensive, Chose a competitor, No need, No budget, "
        "Not reachable, Other"
    )
    assert {f.column for f in found[1:]} == {"Next contact"}


def test_stale_means_open_and_last_contact_more_than_stale_days_ago():
    table = clients_table(
        [
            ok("31 days", last_contact="23.10.2026"),
            ok("30 days", last_contact="24.10.2026"),
            ok("Created long ago, never contacted", created="01.09.2026"),
            {
                "client": "Won long ago",
                "manager": "Olga",
                "status": "Won",
                "last_contact": "01.01.2026",
            },
            ok("Recent", last_contact="20.11.2026", created="01.01.2025"),
        ]
    )
    found = [f for f in flags(table, TEAM, EN, TODAY) if f.code == "stale"]
    # 01.09 -> 23.11 is 30 (September) + 31 (October) + 22 days
    assert [(f.row, f.days, f.label, f.column) for f in found] == [
        (2, 31, "no contact for 31d", "Last contact"),
        (4, 83, "no contact for 83d", "Last contact"),
    ]
    shorter = replace(EN, stale_days=2)  # "Recent" is 3 days idle
    assert [f.row for f in flags(table, TEAM, shorter, TODAY) if f.code == "stale"] == [2, 3, 4, 6]


def test_no_last_contact_column_means_no_stale_findings():
    headers = [h for h in EN_HEADERS if h != "Last contact"]
    table = clients_table([ok("Created long ago", created="01.01.2026")], headers=headers)
    assert by_row(flags(table, TEAM, EN, TODAY)) == {}


def test_overdue_counts_whole_days_after_the_grace_days():
    table = clients_table(
        [
            ok("1 day late", next_contact="22.11.2026 18:00"),
            ok("2 days late", next_contact="21.11.2026"),
            ok("3 days late", next_contact="20.11.2026"),
            ok("Due today", next_contact="23.11.2026 08:00"),
        ]
    )
    late = [(f.row, f.days, f.label) for f in flags(table, TEAM, EN, TODAY) if f.code == "overdue"]
    assert late == [(2, 1, "overdue 1d"), (3, 2, "overdue 2d"), (4, 3, "overdue 3d")]
    graced = replace(EN, overdue_grace_days=2)
    assert [(f.row, f.days) for f in flags(table, TEAM, graced, TODAY) if f.code == "overdue"] == [
        (4, 3)
    ]


def test_the_flags_cell_lists_what_to_act_on_first():
    table = clients_table(
        [
            ok("Everything", manager="Petr", next_contact="20.11.2026", phone="8 912 000 00 01"),
            ok("Twin", phone="+7 912 000-00-01"),
        ]
    )
    cells = flags_text(all_findings(table, TEAM, EN, TODAY))
    assert cells == {2: "overdue 3d; manager left; duplicate of row 3", 3: "duplicate of row 2"}


def test_findings_speak_russian_with_a_russian_config():
    ru = replace(EN, language="ru")
    table = clients_table([ok("Без менеджера", manager="", next_contact="20.11.2026")], cfg=ru)
    assert flags_text(flags(table, roster("Olga"), ru, TODAY)) == {
        2: "просрочен 3 дн.; нет менеджера"
    }


def test_a_client_never_contacted_is_stale_since_created_and_the_hint_says_so():
    table = clients_table(
        [
            ok("Never contacted", created="01.09.2026"),
            ok("Contacted", last_contact="01.09.2026", created="01.01.2026"),
        ]
    )
    found = [f for f in flags(table, TEAM, EN, TODAY) if f.code == "stale"]
    assert [f.hint for f in found] == [
        "no contact since created 01.09.2026; get in touch",
        "last contact 01.09.2026; get in touch",
    ]
    ru = replace(EN, language="ru")
    found = [f for f in flags(table, TEAM, ru, TODAY) if f.code == "stale"]
    assert found[0].hint == "контакта не было с создания 01.09.2026; свяжитесь"
