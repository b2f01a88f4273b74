"""assign and auto-assign in sync: rules, least loaded, round-robin ties, pool, the Log."""

import json

from conftest import EN_HEADERS, TODAY, client_row, formula_over, read_tab, write_book

COL = {h.lower().replace(" ", "_"): i for i, h in enumerate(EN_HEADERS)}
MANAGERS = [
    ["Name", "Active", "Limit"],
    ["Oleg", "yes", ""],
    ["Irina", "yes", ""],
    ["Petr", "no", ""],
    ["Pavel", "yes", ""],
    ["Full", "yes", 1],
]
RULES = """language: en
routing:
  rules:
    - when: {city: Moscow}
      to: [Oleg, Irina]
    - when: {city: [Kazan, Samara], Segment: VIP}
      to: [Petr, Full, Pavel]
    - when: {product: Storage}
      to: [Petr]
  pool: [Pavel, Full]
"""


def config(tmp_path, text=RULES):
    path = tmp_path / "routing.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def lead(name, **fields):
    return {"client": name, "status": "New", "next_contact": "24.11.2026", **fields}


def managers_by_client(path):
    return {r[COL["client"]]: r[COL["manager"]] for r in read_tab(path, "Clients")[1:]}


def test_rule_picks_least_loaded_then_round_robin(book, run, tmp_path):
    path = book(
        [
            lead("Irina's own", manager="Irina", status="In progress"),
            lead("M1", city="Moscow"),
            lead("M2", city="moscow"),
            lead("M3", city="Moscow"),
            lead("M4", city="Moscow"),
            lead("M5", city="Moscow"),
        ],
        managers=MANAGERS,
    )
    result = run("assign", str(path), "--apply", config=config(tmp_path))
    assert result.exit_code == 0, result.output
    got = managers_by_client(path)
    # Oleg carries 0, Irina 1: Oleg first; then at equal loads the one given a client longer ago
    assert [got[f"M{i}"] for i in range(1, 6)] == ["Oleg", "Irina", "Oleg", "Irina", "Oleg"]


def test_any_column_inactive_and_full_managers_are_skipped(book, run, tmp_path):
    headers = [*EN_HEADERS, "Segment"]
    rows = [
        [*[""] * len(EN_HEADERS), "vip"],
        [*[""] * len(EN_HEADERS), "vip"],
        [*[""] * len(EN_HEADERS), ""],
    ]
    for i, row in enumerate(rows):
        row[COL["client"]], row[COL["city"]] = f"K{i}", "Kazan"
        row[COL["status"]], row[COL["next_contact"]] = "New", "24.11.2026"
    path = book(rows, managers=MANAGERS, headers=headers)
    assert run("assign", str(path), "--apply", config=config(tmp_path)).exit_code == 0
    got = managers_by_client(path)
    # Petr left; Full has room for one; the third row is not VIP: the pool, where Full is full
    assert got == {"K0": "Full", "K1": "Pavel", "K2": "Pavel"}


def test_a_manager_on_leave_is_given_no_new_leads(book, run, tmp_path):
    """Leads were routed to a manager whose Active cell said "в отпуске" (read as active):
    they waited, uncalled, until she was back."""
    managers = [["Name", "Active"], ["Oleg", "в отпуске"], ["Irina", "on leave"], ["Pavel", ""]]
    rows = [lead("M1", city="Moscow"), lead("M2", city="Moscow"), lead("Oleg's", manager="Oleg")]
    path = book(rows, managers=managers)
    result = run("assign", str(path), "--apply", config=config(tmp_path))
    assert result.exit_code == 0, result.output
    assert managers_by_client(path) == {"M1": "Pavel", "M2": "Pavel", "Oleg's": "Oleg"}


def test_no_match_falls_back_to_pool_else_stays_and_is_reported(book, run, tmp_path):
    rows = [lead("Storage lead", product="Storage"), lead("Nowhere", city="Omsk")]
    path = book(rows, managers=MANAGERS)
    assert run("assign", str(path), "--apply", config=config(tmp_path)).exit_code == 0
    # the Storage rule names only Petr, who left: the pool (Pavel and Full tie; Pavel is first)
    assert managers_by_client(path) == {"Storage lead": "Pavel", "Nowhere": "Full"}

    path2 = book(rows, managers=MANAGERS, name="nopool.xlsx")
    no_pool = config(tmp_path, RULES.replace("  pool: [Pavel, Full]\n", ""))
    result = run("assign", str(path2), "--apply", config=no_pool)
    assert result.exit_code == 0
    assert managers_by_client(path2) == {"Storage lead": "", "Nowhere": ""}
    assert "2 client(s) left without a manager" in result.output


def test_clients_of_a_leaver_or_unknown_manager_are_reassigned_closed_ones_kept(
    book, run, tmp_path
):
    path = book(
        [
            lead("Left behind", manager="Petr", city="Moscow"),
            lead("Typo", manager="Olegg", city="Moscow"),
            lead("Closed", manager="Petr", city="Moscow", status="Won", next_contact=""),
            lead("Fine", manager="Pavel", city="Moscow"),
        ],
        managers=MANAGERS,
    )
    before = path.read_bytes()
    preview = run("assign", str(path), config=config(tmp_path))
    assert preview.exit_code == 0 and "2 client(s) would be assigned" in preview.output
    assert path.read_bytes() == before
    shown = json.loads(run("assign", str(path), "--format", "json", config=config(tmp_path)).output)
    assert [(r["client"], r["from"], r["to"]) for r in shown] == [
        ("Left behind", "Petr", "Oleg"),
        ("Typo", "Olegg", "Irina"),
    ]
    assert path.read_bytes() == before
    assert (
        run("assign", str(path), "--apply", "--by", "boss", config=config(tmp_path)).exit_code == 0
    )
    assert managers_by_client(path) == {
        "Left behind": "Oleg",
        "Typo": "Irina",
        "Closed": "Petr",
        "Fine": "Pavel",
    }
    log = read_tab(path, "Log")[1:]
    # When, Command, ID, Client, Field, Old value, New value, By
    manager_rows = [r[1:8] for r in log if r[4] == "Manager"]
    assert [(r[0], r[2], r[4], r[5], r[6]) for r in manager_rows] == [
        ("assign", "Left behind", "Petr", "Oleg", "boss"),
        ("assign", "Typo", "Olegg", "Irina", "boss"),
    ]
    ids = [r[COL["id"]] for r in read_tab(path, "Clients")[1:3]]
    assert [r[1] for r in manager_rows] == ids and all(
        ids
    )  # logged with the IDs filled in the same apply
    again = path.read_bytes()
    assert run("assign", str(path), "--apply", config=config(tmp_path)).exit_code == 0
    assert path.read_bytes() == again


def test_sync_auto_assigns_when_configured_and_stays_idempotent(book, run, tmp_path):
    path = book([lead("M1", city="Moscow"), lead("Nowhere", city="Omsk")], managers=MANAGERS)
    cfg = config(tmp_path, RULES.replace("  pool: [Pavel, Full]\n", "") + "  auto_assign: true\n")
    result = run("sync", str(path), "--date", TODAY.isoformat(), config=cfg)
    assert result.exit_code == 0, result.output
    assert "assign a manager to 1 client(s)" in result.output
    rows = read_tab(path, "Clients")
    header = rows[0]
    flags = header.index("Flags")
    by_name = {r[COL["client"]]: r for r in rows[1:]}
    assert by_name["M1"][COL["manager"]] == "Oleg" and by_name["M1"][flags] == ""
    assert by_name["Nowhere"][flags] == "no manager"
    log = read_tab(path, "Log")[1:]
    assert [(r[1], r[4], r[6]) for r in log if r[4] == "Manager"] == [("assign", "Manager", "Oleg")]
    second = run("sync", str(path), "--date", TODAY.isoformat(), config=cfg)
    assert "up to date" in second.output


def test_sync_without_auto_assign_leaves_managers_alone(book, run, tmp_path):
    path = book([lead("M1", city="Moscow")], managers=MANAGERS)
    assert (
        run("sync", str(path), "--date", TODAY.isoformat(), config=config(tmp_path)).exit_code == 0
    )
    assert managers_by_client(path) == {"M1": ""}


def test_without_any_routing_the_report_says_what_to_configure(book, run):
    path = book([lead("Orphan", manager="Petr")], managers=MANAGERS)
    result = run("assign", str(path))
    assert result.exit_code == 0
    assert "Nothing to assign" not in result.output
    assert (
        "1 client(s) left without a manager: config.yaml has no routing rules or pool"
        in result.output
    )


def test_a_lead_whose_rule_matches_but_whose_managers_are_full_is_said_so(book, run, tmp_path):
    full = [["Name", "Active", "Limit"], ["Oleg", "yes", 1], ["Irina", "no", ""]]
    path = book(
        [lead("Own", manager="Oleg", city="Moscow"), lead("M1", city="Moscow"), lead("O1")],
        managers=full,
    )
    rules = "language: en\nrouting:\n  rules:\n    - when: {city: Moscow}\n      to: [Oleg, Irina]"
    result = run("assign", str(path), "--format", "json", config=config(tmp_path, rules))
    why = {row["client"]: row["rule"] for row in json.loads(result.stdout)}
    assert why == {
        "M1": "rule city=Moscow matches, but none of its managers is free "
        "(inactive, on leave, not on the Managers tab or at their Limit), nor is any pool manager",
        "O1": "no rule matches and no pool manager is free",
    }


def test_summary_counts_every_reason_clients_are_left_without_a_manager(book, run, tmp_path):
    """The summary gave the first unassigned client's reason for all of them."""
    rows = [lead("Storage lead", product="Storage"), lead("Omsk", city="Omsk")]
    rows.append(lead("Tomsk", city="Tomsk"))
    no_pool = RULES.replace("  pool: [Pavel, Full]\n", "")
    path = book(rows, managers=MANAGERS)
    result = run("assign", str(path), config=config(tmp_path, no_pool))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "3 client(s) left without a manager, by reason:",
        "  2: no rule matches and no pool manager is free",
        "  1: rule product=Storage matches, but none of its managers is free (inactive, on leave, "
        "not on the Managers tab or at their Limit), nor is any pool manager",
    ]
    ru = config(tmp_path, no_pool.replace("language: en", "language: ru"))
    lines = run("assign", str(path), config=ru).stderr.splitlines()
    assert lines[0] == "Остались без менеджера: 3, по причинам:"
    assert lines[1] == "  2: ни одно правило не подошло, и в пуле нет свободного менеджера"
    assert lines[2].startswith("  1: подходит правило product=Storage, но ни один")


def test_a_routing_name_not_on_the_managers_tab_is_named(book, run, tmp_path):
    """A name in routing that matches nobody on the Managers tab (a typo, a Latin letter
    among Cyrillic ones) never gets a client: check and assign say so."""
    cfg = config(
        tmp_path,
        "language: en\nrouting:\n  rules:\n    - when: {city: Moscow}\n"
        "      to: [Olegg, Irina]\n  pool: [Pavel, Паvел]\n",
    )
    path = book([lead("M1", city="Moscow")], managers=MANAGERS)
    warnings = [
        "Warning: routing.rules[0].to: 'Olegg' is not on the Managers tab, so it is given no "
        "clients; write the name as the tab does\n",
        "Warning: routing.pool: 'Паvел' is not on the Managers tab, so it is given no "
        "clients; write the name as the tab does\n",
    ]
    checked = run("check", str(path), "--date", TODAY.isoformat(), config=cfg)
    assert checked.exit_code == 0, checked.output
    assert all(w in checked.stderr for w in warnings), checked.stderr
    assigned = run("assign", str(path), config=cfg)
    assert assigned.exit_code == 0, assigned.output
    assert all(w in assigned.stderr for w in warnings), assigned.stderr
    quiet = run("check", str(path), "--date", TODAY.isoformat(), config=config(tmp_path))
    assert "not on the Managers tab" not in quiet.stderr


def test_sync_skips_auto_assign_while_the_managers_tab_has_problems(book, run, tmp_path):
    """sync routed new leads past what makes `assign` stop: two rows read as one manager,
    a Limit that is not a number. It syncs the rest and says why in one warning line."""
    twins = [["Name", "Active", "Limit"], ["Иванова О.", "yes", ""], ["Иванова_О", "yes", ""]]
    path = book([lead("Lead")], managers=twins)
    cfg = config(tmp_path, "language: en\nrouting:\n  pool: [Иванова_О]\n  auto_assign: true\n")
    result = run("sync", str(path), "--date", TODAY.isoformat(), config=cfg)
    assert result.exit_code == 0, result.output
    assert managers_by_client(path) == {"Lead": ""}  # not given to "Иванова О."
    rows = read_tab(path, "Clients")
    assert rows[1][COL["id"]] == "C00001"  # the rest of the sync was done
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1
    assert "new leads were not assigned" in warnings[0]
    assert "rows 2 and 3" in warnings[0] and "read as one manager" in warnings[0]
    assert "assign a manager" not in result.output

    limit = [["Name", "Active", "Limit"], ["Oleg", "yes", "30 clients"], ["Irina", "no", 5]]
    path = book([lead("Lead")], managers=limit, name="limit.xlsx")
    cfg = config(tmp_path, "language: en\nrouting:\n  pool: [Oleg]\n  auto_assign: true\n")
    result = run("sync", str(path), "--date", TODAY.isoformat(), "--dry-run", config=cfg)
    assert result.exit_code == 0, result.output
    assert "row 2, column 'Limit': '30 clients' is not a number" in result.stderr


def test_assign_and_auto_assign_leave_a_manager_cell_holding_a_formula(book, run, tmp_path):
    """A Manager cell the team fills with a formula (showing nothing yet) was written over."""
    path = book([lead("By formula", manager="x", city="Omsk"), lead("Plain")], managers=MANAGERS)
    formula_over(path, "E2", 'IF(K2="Moscow","Oleg","")', "")
    cfg = config(tmp_path, "language: en\nrouting:\n  pool: [Pavel]\n")
    said = 'row 2, column \'Manager\' holds a formula (=IF(K2="Moscow","Oleg",""))'
    shown = json.loads(run("assign", str(path), "--format", "json", config=cfg).stdout)
    assert [(r["client"], r["to"], r["rule"]) for r in shown] == [
        ("By formula", "(nobody)", said),
        ("Plain", "Pavel", "pool"),
    ]
    result = run("assign", str(path), "--apply", config=cfg)
    assert result.exit_code == 0, result.output
    assert "Assigned 1 client(s)" in result.stderr and said in result.stderr
    from openpyxl import load_workbook

    assert load_workbook(path)["Clients"]["E2"].value == '=IF(K2="Moscow","Oleg","")'
    assert managers_by_client(path)["Plain"] == "Pavel"
    assert [r[3] for r in read_tab(path, "Log")[1:] if r[4] == "Manager"] == ["Plain"]
    auto = config(tmp_path, "language: en\nrouting:\n  pool: [Pavel]\n  auto_assign: true\n")
    assert run("sync", str(path), "--date", TODAY.isoformat(), config=auto).exit_code == 0
    assert load_workbook(path)["Clients"]["E2"].value == '=IF(K2="Moscow","Oleg","")'


def test_a_manager_written_short_or_reordered_keeps_her_clients(book, run, tmp_path):
    """A Manager cell check reads as an active manager's name written otherwise ("Ivanova O.",
    her names swapped, the first name alone) was routed to whoever was free: her clients went
    to others, at every sync with auto_assign. They stay, and assign says what to write."""
    team = [
        ["Name", "Active"],
        ["Ivanova Olga", "yes"],
        ["Petrova Anna", "yes"],
        ["Sidorov Ivan", "no"],
        ["Smirnov Oleg", "yes"],
    ]
    rows = [lead(f"Olga's {i}", manager="Ivanova Olga") for i in range(3)]
    rows += [
        lead("Swapped", manager="Olga Ivanova"),
        lead("Initial", manager="Ivanova O."),
        lead("First name", manager="Anna"),
        lead("Leaver's", manager="Sidorov"),  # a leaver written short: routed all the same
        lead("Stranger's", manager="Kuznetsov"),
    ]
    path = book(rows, managers=team)
    pool = "language: en\nrouting:\n  pool: [Ivanova Olga, Petrova Anna, Smirnov Oleg]\n"
    result = run("assign", str(path), "--format", "json", config=config(tmp_path, pool))
    shown = {r["client"]: (r["to"], r["rule"]) for r in json.loads(result.stdout)}
    like = "is not on the Managers tab but may be {}: write the name as the Managers tab does"
    assert shown == {
        "Swapped": ("(nobody)", f"'Olga Ivanova' {like.format(repr('Ivanova Olga'))}"),
        "Initial": ("(nobody)", f"'Ivanova O.' {like.format(repr('Ivanova Olga'))}"),
        "First name": ("(nobody)", f"'Anna' {like.format(repr('Petrova Anna'))}"),
        "Leaver's": ("Petrova Anna", "pool"),
        "Stranger's": ("Smirnov Oleg", "pool"),
    }
    auto = config(tmp_path, pool + "  auto_assign: true\n")
    assert run("sync", str(path), "--date", TODAY.isoformat(), config=auto).exit_code == 0
    got = managers_by_client(path)
    assert [got["Swapped"], got["Initial"], got["First name"]] == [
        "Olga Ivanova",
        "Ivanova O.",
        "Anna",
    ]
    assert got["Leaver's"] == "Sidorov" and got["Stranger's"] == "Kuznetsov"  # for assign
    two = [["Name", "Active"], ["Olga P.", "yes"], ["Olga S.", "yes"], ["Oleg", "yes"]]
    path = book([lead("Whose", manager="Olga")], managers=two)
    pool = "language: ru\nrouting:\n  pool: [Oleg]\n"
    (row,) = json.loads(
        run("assign", str(path), "--format", "json", config=config(tmp_path, pool)).stdout
    )
    assert row["rule"] == (
        "«Olga» нет во вкладке «Менеджеры», но это может быть «Olga P.» или «Olga S.»: "
        "напишите имя так же, как там"
    )


def test_a_manager_typed_with_look_alike_latin_letters_is_named_so_and_kept(book, run, tmp_path):
    """'Нoвикова Мария' with a Latin o reads as 'Новикова Мария' of the Managers tab: check
    said she was not on it ("add them"), and assign gave her client to someone else."""
    team = [["Name", "Active"], ["Новикова Мария", "yes"], ["Smirnov Ivan", "yes"]]
    rows = [lead("Latin o", manager="Нoвикова Мария"), lead("Cyrillic а", manager="Smirnov Ivаn")]
    path = book(rows, managers=team)
    pool = config(tmp_path, "language: en\nrouting:\n  pool: [Новикова Мария, Smirnov Ivan]\n")
    found = json.loads(run("check", str(path), "--format", "json", config=pool).stdout)
    assert [f["expected"] for f in found] == [
        "'Нoвикова Мария' has 'o' in Latin where 'Новикова Мария' on the Managers tab has "
        "look-alike letters of the other alphabet; retype the name",
        "'Smirnov Ivаn' has 'а' in Cyrillic where 'Smirnov Ivan' on the Managers tab has "
        "look-alike letters of the other alphabet; retype the name",
    ]
    shown = json.loads(run("assign", str(path), "--format", "json", config=pool).stdout)
    assert [r["to"] for r in shown] == ["(nobody)", "(nobody)"]
    ru = config(tmp_path, "language: ru\n")
    first = json.loads(run("check", str(path), "--format", "json", config=ru).stdout)[0]
    assert first["expected"] == (
        "в «Нoвикова Мария» латиница («o») там, где в «Новикова Мария» во вкладке «Менеджеры» "
        "похожие буквы другого алфавита; наберите имя заново"
    )


def test_sync_leaves_a_name_off_the_roster_to_assign(book, run, tmp_path):
    """Renamed on the Managers tab first ("Ivanova Olga" now "Petrova Olga"), the manager lost
    every open client at the next sync with auto_assign, with no preview. sync routes new
    leads and a leaver's clients; a name off the roster waits for `assign`, which shows it."""
    team = [["Name", "Active"], ["Petrova Olga", "yes"], ["Smirnov Ivan", "yes"], ["Petr", "no"]]
    rows = [lead(f"Olga's {i}", manager="Ivanova Olga") for i in range(3)]
    rows += [lead("New lead"), lead("Leaver's", manager="Petr")]
    path = book(rows, managers=team)
    auto = config(tmp_path, "language: en\nrouting:\n  pool: [Smirnov Ivan]\n  auto_assign: true\n")
    result = run("sync", str(path), "--date", TODAY.isoformat(), config=auto)
    assert result.exit_code == 0, result.output
    assert "assign a manager to 2 client(s)" in result.output
    assert managers_by_client(path) == {
        "Olga's 0": "Ivanova Olga",
        "Olga's 1": "Ivanova Olga",
        "Olga's 2": "Ivanova Olga",
        "New lead": "Smirnov Ivan",
        "Leaver's": "Smirnov Ivan",
    }
    flags = read_tab(path, "Clients")[1][read_tab(path, "Clients")[0].index("Flags")]
    assert flags == "manager not on roster"
    shown = json.loads(run("assign", str(path), "--format", "json", config=auto).stdout)
    assert [(r["client"], r["to"]) for r in shown] == [
        (f"Olga's {i}", "Smirnov Ivan") for i in range(3)
    ]


def test_ties_take_turns_across_syncs_not_only_within_one(book, run, tmp_path):
    """A cron sync routes leads one at a time; with loads tied (each lead closed before the
    next came) every lead went to the first name of the pool, as if it had no turns."""
    from openpyxl import load_workbook

    two = [["Name", "Active"], ["Oleg", "yes"], ["Irina", "yes"]]
    path = book([], managers=two)
    cfg = config(tmp_path, "language: en\nrouting:\n  pool: [Oleg, Irina]\n  auto_assign: true\n")
    given = []
    for i in range(4):
        wb = load_workbook(path)
        wb["Clients"].append(client_row(**lead(f"L{i}")))
        wb.save(path)
        result = run("sync", str(path), "--date", TODAY.isoformat(), config=cfg)
        assert result.exit_code == 0, result.output
        given.append(managers_by_client(path)[f"L{i}"])
        wb = load_workbook(path)
        ws = wb["Clients"]
        ws.cell(ws.max_row, COL["status"] + 1, "Won")  # called and closed before the next lead
        ws.cell(ws.max_row, COL["next_contact"] + 1, None)
        wb.save(path)
    assert given == ["Oleg", "Irina", "Oleg", "Irina"]
    wb = load_workbook(path)
    wb["Clients"].append(client_row(**lead("L4")))
    wb.save(path)
    preview = json.loads(run("assign", str(path), "--format", "json", config=cfg).stdout)
    assert [(r["client"], r["to"]) for r in preview] == [("L4", "Oleg")]
    assert run("assign", str(path), "--apply", config=cfg).exit_code == 0
    assert managers_by_client(path)["L4"] == "Oleg"


def test_a_manager_name_written_short_is_left_to_her_not_given_away(book, run, tmp_path):
    """A manager typed only her first name ("Oleg" for "Oleg Ivanov", as `check` suggests):
    the cron sync's auto-assign gave her client to whoever carried fewer clients."""
    team = [["Name", "Active"], ["Oleg Ivanov", "yes"], ["Irina Petrova", "yes"]]
    team.append(["Petr Sidorov", "no"])
    rows = [lead("Oleg's", manager="Oleg"), lead("Ivanov's", manager="ivanov o.")]
    rows += [lead("Left", manager="Sidorov"), lead("Typo", manager="Olegg")]
    path = book(rows, managers=team)
    cfg = config(tmp_path, "language: en\nrouting:\n  pool: [Irina Petrova]\n  auto_assign: true\n")
    shown = json.loads(run("assign", str(path), "--format", "json", config=cfg).stdout)
    said = "'Oleg' is not on the Managers tab but may be 'Oleg Ivanov': write the name as the "
    assert [(r["client"], r["to"], r["rule"]) for r in shown] == [
        ("Oleg's", "(nobody)", said + "Managers tab does"),
        ("Ivanov's", "(nobody)", said.replace("'Oleg'", "'ivanov o.'") + "Managers tab does"),
        ("Left", "Irina Petrova", "pool"),
        ("Typo", "Irina Petrova", "pool"),
    ]
    result = run("sync", str(path), "--date", TODAY.isoformat(), config=cfg)
    assert result.exit_code == 0, result.output
    assert managers_by_client(path) == {  # names off the roster wait for `assign`'s preview
        "Oleg's": "Oleg",
        "Ivanov's": "ivanov o.",
        "Left": "Sidorov",
        "Typo": "Olegg",
    }


def test_sync_says_why_auto_assign_left_leads_without_a_manager(book, run, tmp_path):
    """The cron sync left leads with nobody when every manager of their rule was at her
    Limit and said nothing: the Flags column read "no manager", as if routing were off."""
    full = [["Name", "Active", "Limit"], ["Oleg", "yes", 1], ["Irina", "no", ""]]
    rows = [lead("Own", manager="Oleg"), lead("M1", city="Moscow"), lead("Fine", manager="Oleg")]
    path = book(rows, managers=full)
    rules = "language: en\nrouting:\n  auto_assign: true\n  rules:\n"
    rules += "    - when: {city: Moscow}\n      to: [Oleg, Irina]\n"
    result = run("sync", str(path), "--date", TODAY.isoformat(), config=config(tmp_path, rules))
    assert result.exit_code == 0, result.output
    assert managers_by_client(path)["M1"] == ""
    assert result.stderr.splitlines() == [
        "Warning: routing.auto_assign: 1 client(s) left without a manager: rule city=Moscow "
        "matches, but none of its managers is free (inactive, on leave, not on the Managers tab "
        "or at their Limit), nor is any pool manager. (row(s) 3)"
    ]


def test_a_rule_on_a_field_by_its_russian_name_matches_whatever_the_column_is_headed(tmp_path, run):
    """A rule on "Город" (the city field's Russian name) never matched a tab heading the
    column "Регион", one of the city's own headers: every Moscow lead went to the pool."""
    headers = ["Клиент", "Менеджер", "Статус", "Следующий контакт", "Регион", "Канал"]
    rows = [["Лид", "", "Новый", "24.11.2026", "г. Москва", "Сайт"]]
    team = [["Имя", "Активен"], ["Ольга", "да"], ["Иван", "да"]]
    tabs = {"Клиенты": [headers, *rows], "Менеджеры": team}
    path = write_book(tmp_path / "crm.xlsx", tabs)
    rules = "routing:\n  rules:\n    - when: {Город: [Москва, г. Москва]}\n      to: [Ольга]\n"
    cfg = config(tmp_path, rules + "    - when: {Сегмент: VIP, city: Казань}\n      to: [Иван]\n")
    assert run("assign", str(path), "--apply", config=cfg).exit_code == 0
    assert [r[1] for r in read_tab(path, "Клиенты")[1:]] == ["Ольга"]
    checked = run("check", str(path), "--date", TODAY.isoformat(), config=cfg)
    warned = [line for line in checked.stderr.splitlines() if "never matches" in line]
    assert warned == [
        "Warning: routing.rules[1].when: tab 'Клиенты' has no column 'Сегмент', "
        "so the rule never matches"
    ]


def test_an_undone_assign_gives_nobody_a_turn(book, run, tmp_path):
    """After `undo` of an assign, routing the same leads again dealt them to other managers,
    as if the undone assign had taken turns: each manager told "this lead is yours" lost it."""
    two = [["Name", "Active"], ["Oleg", "yes"], ["Irina", "yes"]]
    path = book([lead("L1"), lead("L2"), lead("L3")], managers=two)
    cfg = config(tmp_path, "language: en\nrouting:\n  pool: [Oleg, Irina]\n")
    assert run("assign", str(path), "--apply", config=cfg).exit_code == 0
    first = managers_by_client(path)
    assert first == {"L1": "Oleg", "L2": "Irina", "L3": "Oleg"}
    assert run("undo", str(path), "--apply", config=cfg).exit_code == 0
    assert set(managers_by_client(path).values()) == {""}
    assert run("assign", str(path), "--apply", config=cfg).exit_code == 0
    assert managers_by_client(path) == first


def test_undo_of_an_auto_assign_says_the_next_sync_routes_them_again(book, run, tmp_path):
    """`undo` of what the cron sync's auto-assign gave said "Restored", and ten minutes
    later the sync had given the same leads out again, without a word why."""
    two = [["Name", "Active"], ["Oleg", "yes"], ["Irina", "yes"]]
    path = book([lead("L1"), lead("L2")], managers=two)
    auto = config(tmp_path, "language: en\nrouting:\n  pool: [Oleg, Irina]\n  auto_assign: true\n")
    assert run("sync", str(path), "--date", TODAY.isoformat(), config=auto).exit_code == 0
    note = (
        "routing.auto_assign is on: the next sync gives these 2 client(s) a manager again; "
        "to keep them as restored, set it to false in config.yaml first"
    )
    preview = run("undo", str(path), config=auto)
    assert preview.exit_code == 0 and note in preview.stderr.splitlines()
    done = run("undo", str(path), "--apply", config=auto)
    assert done.exit_code == 0 and note in done.stderr.splitlines()
    assert set(managers_by_client(path).values()) == {""}
    off = config(tmp_path, "language: en\nrouting:\n  pool: [Oleg, Irina]\n")
    assert run("sync", str(path), "--date", TODAY.isoformat(), config=off).exit_code == 0
    assert run("undo", str(path), config=off).stderr == ""
