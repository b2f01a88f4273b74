"""Team operations that change the team's data: assign, handover, undo.

Each builds a Plan (cells to change plus their Log rows) from a loaded
Workspace; the caller previews it or applies it. Every changed cell is
logged with the client's ID, filling missing IDs in the same plan.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sheetcrm.backends.base import find_tab
from sheetcrm.changelog import LogEntry, log_names, log_rows, read_log
from sheetcrm.client_ids import canonical
from sheetcrm.config import working_days
from sheetcrm.engine.handover import Move, add_working_days, checklist, plan_moves
from sheetcrm.engine.routing import Assignment, needs_manager, open_loads, route, rule_text
from sheetcrm.errors import DataError
from sheetcrm.i18n import t
from sheetcrm.plan import CellChange, Plan
from sheetcrm.schema import DATE_FIELDS, MANAGER_FIELDS, fold
from sheetcrm.sync import append_log, ensure_column, fill_ids, owned_column
from sheetcrm.table import Client, Manager, RawTable, used_width
from sheetcrm.values import parse_date, text
from sheetcrm.workspace import Workspace
from sheetcrm.writable import ensure_writable

UNDOABLE = ("handover", "assign")


def _raw(c: Client, column: int | None) -> Any:
    return c.cells[column] if column is not None and column < len(c.cells) else ""


def client_change(
    ws: Workspace, plan: Plan, c: Client, name: str, new: Any, why: str, filled: dict[int, str]
) -> CellChange:
    """A change to a client's cell, keyed by the ID the row had when read."""
    column = owned_column(ws.table, plan, name, ws.cfg)
    old = _raw(c, ws.table.columns.get(name))
    change = CellChange(
        ws.table.tab, c.row, column, name, old, new, "" if c.row in filled else c.id, c.client, why
    )
    plan.cells.append(change)
    return change


def _ids_for(
    ws: Workspace, plan: Plan, clients: list[Client], filled: dict[int, str]
) -> list[CellChange]:
    """Fill the IDs these clients lack; the ID cells planned (to be logged too)."""
    before = len(plan.cells)
    filled.update(fill_ids(ws, plan, clients))
    return plan.cells[before:]


def log(ws: Workspace, plan: Plan, rows: list[list[Any]]) -> None:
    """Append rows to the Log, giving a Log begun before the Batch column its header."""
    append_log(plan, ws.cfg, rows)
    raw = ws.tab("log")
    if not rows or raw is None or not raw.rows:
        return
    header = [text(h) for h in raw.rows[0]]
    names = log_names()
    if "batch" not in {names.get(fold(h)) for h in header}:
        width = len(header)
        while width and not header[width - 1]:
            width -= 1
        ensure_column(plan, raw.name, 1, width, None, t(ws.cfg.language, "col_batch"))


Cell = tuple[str, int, int]  # tab, sheet row, 0-based column


def formulas_under(ws: Workspace, cells: list[Cell]) -> dict[Cell, str]:
    """Of these cells, those holding a formula now, with its text: what a reader gives is
    the value it shows, and a plain value written there would wipe the formula out."""
    found: dict[Cell, str] = {}
    for tab in dict.fromkeys(tab for tab, _, _ in cells):
        wanted = [(row, column) for name, row, column in cells if name == tab]
        for (row, column), formula in ws.backend.formulas(tab, wanted).items():
            found[tab, row, column] = formula
    return found


@dataclass
class Held:
    """A cell a command leaves alone because the team keeps a formula in it."""

    id: str
    client: str
    row: int
    column: str  # its header as written in the sheet
    formula: str
    text: str  # what a user reads about it


def held_cells(ws: Workspace, changes: list[CellChange]) -> list[Held]:
    """The cells of `changes` (IDs aside, which go only into empty cells) holding formulas."""
    held = formulas_under(ws, [(ch.tab, ch.row, ch.column) for ch in changes if ch.field != "id"])
    ids = {c.row: c.id for c in ws.table.clients}
    out = []
    for ch in changes:
        cell = (ch.tab, ch.row, ch.column)
        if cell in held and ch.field != "id":
            text = holds_formula(ws, cell, held[cell])
            client_id = ids.get(ch.row, "") if ch.tab == ws.table.tab else ""
            out.append(Held(client_id, ch.client, ch.row, _header(ws, cell), held[cell], text))
    return out


def _header(ws: Workspace, cell: Cell) -> str:
    tab, _, column = cell
    headers = ws.roster.headers if tab == ws.roster.tab else ws.table.headers
    return headers[column] if column < len(headers) else ""


def holds_formula(ws: Workspace, cell: Cell, formula: str) -> str:
    """What a user reads about a cell left alone for its formula."""
    where = {"row": cell[1], "column": _header(ws, cell), "formula": formula}
    return t(ws.cfg.language, "cell_formula", **where)


# -- assign ---------------------------------------------------------------


@dataclass
class AssignResult:
    plan: Plan
    assignments: list[Assignment]

    @property
    def assigned(self) -> list[Assignment]:
        return [a for a in self.assignments if a.manager]

    @property
    def unassigned(self) -> list[Assignment]:
        return [a for a in self.assignments if not a.manager]


def left_lines(left: list[Assignment], lang: str) -> list[str]:
    """Why clients were left without a manager: one line, or a line per reason and its count."""
    reasons = Counter(a.why for a in left).most_common()
    if len(reasons) == 1:
        return [t(lang, "as_left", n=len(left), why=reasons[0][0])]
    if not reasons:
        return []
    return [t(lang, "as_left_by_reason", n=len(left)), *(f"  {k}: {why}" for why, k in reasons)]


def auto_left(left: list[Assignment], lang: str) -> str:
    """The one warning line of a sync whose auto-assign left clients without a manager: the
    flag says "no manager", this says why (a limit reached, no rule, no pool) and where."""
    head, *more = left_lines(left, lang)
    rows = ", ".join(str(a.client.row) for a in left[:10]) + (", …" if len(left) > 10 else "")
    why = " ".join([head, "; ".join(line.strip() for line in more)]).strip()
    return f"routing.auto_assign: {why} ({t(lang, 'auto_left_rows', rows=rows)})"


def route_into(
    ws: Workspace,
    plan: Plan,
    when: str,
    by: str,
    filled: dict[int, str] | None = None,
    unknown: bool = True,
) -> list[Assignment]:
    """Add the routing of every client needing a manager to `plan`, with its Log rows;
    with `unknown` False, not of those whose manager is a name off the roster.

    The clients are given their new managers in memory, so findings and tabs
    built afterwards from the same workspace already show them.
    """
    assignments = _route(ws, unknown)
    filled = filled if filled is not None else {}
    changes = _ids_for(ws, plan, [a.client for a in assignments if a.manager], filled)
    for a in assignments:
        if a.manager:
            changes.append(client_change(ws, plan, a.client, "manager", a.manager, a.why, filled))
            a.client.manager = a.manager
    log(ws, plan, log_rows(changes, "assign", when, by, filled, plan.batch, ws.cfg.language))
    return assignments


def _route(ws: Workspace, unknown: bool = True) -> list[Assignment]:
    """The routing, less the clients whose Manager cell holds a formula: theirs are left as
    they are (and said so), and the others dealt again without them."""
    table, column = ws.table, ws.table.columns.get("manager")
    pending = any(needs_manager(c, ws.roster, unknown) for c in table.clients)
    given = _given(ws) if pending else []
    assignments = route(table, ws.roster, ws.cfg.routing, unknown, given)
    kept: list[Assignment] = []
    if column is not None and any(a.manager for a in assignments):
        cells = {a.client.row: (table.tab, a.client.row, column) for a in assignments}
        held = formulas_under(ws, list(cells.values()))
        for a in assignments:
            if (cell := cells[a.client.row]) in held:
                why = holds_formula(ws, cell, held[cell])
                kept.append(Assignment(a.client, "", None, why, a.previous))
        if kept:
            rows = {a.client.row for a in kept}
            table = replace(table, clients=[c for c in table.clients if c.row not in rows])
            assignments = route(table, ws.roster, ws.cfg.routing, unknown, given)
    dealt = [replace(a, why=_route_why(a, ws)) for a in assignments]
    return sorted([*dealt, *kept], key=lambda a: a.client.row)


def _given(ws: Workspace) -> list[str]:
    """The managers `assign` (and auto-assign) gave clients to, oldest first, as the Log
    records them: a cron sync routes one lead at a time, and ties must take turns across
    runs, not go to the first name every time. The Log is read only when needed."""
    name, raw = ws.cfg.tab("log"), ws.tab("log")
    if raw is None and find_tab(ws.snapshot.sheet_names, name) is not None:
        tabs = ws.backend.read([name]).tabs
        raw = tabs.get(find_tab(tabs, name) or "")
    try:
        entries = read_log(raw)
    except DataError:
        return []  # a Log tab that is not sheetcrm's remembers no turns
    # an assign taken back by `undo` (its Why names the batch) gave nobody a turn
    # a batch an undo names in its Why (why_undo), matched as a whole word, not a substring
    undone = {w for e in entries if e.command == "undo" for w in e.why.split()}
    return [
        text(e.new)
        for e in entries
        if e.command == "assign" and e.field == "manager" and text(e.new)
        if e.batch not in undone
    ]


def _route_why(a: Assignment, ws: Workspace) -> str:
    lang, routing = ws.cfg.language, ws.cfg.routing
    rule = rule_text(routing.rules[a.rule]) if a.rule is not None else ""
    if a.like:
        like = t(lang, "or_word").join(t(lang, "quoted_name", name=n) for n in a.like)
        return t(lang, "why_name_like", name=a.previous, like=like)
    if a.manager:
        return t(lang, "why_rule", rule=rule) if rule else t(lang, "why_pool")
    if rule:  # the rule fits the client; its managers (and the pool) have no room or left
        return t(lang, "why_rule_full", rule=rule)
    return t(lang, "why_unrouted" if routing.rules or routing.pool else "why_no_routing")


def check_limits(ws: Workspace) -> None:
    """A Limit the team typed but sheetcrm cannot read must not be silently ignored."""
    if problems := ws.roster.problems():
        raise DataError(problems[0])


def plan_assign(ws: Workspace, when: str, by: str) -> AssignResult:
    if not ws.roster.known:
        raise DataError(
            f"{ws.backend.label}: no Managers tab, so there is nobody to assign clients to"
        )
    check_limits(ws)
    plan = Plan()
    return AssignResult(plan, route_into(ws, plan, when, by))


# -- handover -------------------------------------------------------------


@dataclass
class ReceiverTotal:
    name: str
    before: int  # open clients carried before
    received: int
    warm: int  # of those received, in progress
    after: int
    limit: int | None = None  # the Managers tab's Limit, if any


@dataclass
class HandoverResult:
    plan: Plan
    source: str  # the leaver, as the roster spells them
    moves: list[Move]
    totals: list[ReceiverTotal]
    deadline: date
    deactivate: bool  # the leaver is marked inactive by this plan
    checklists: dict[str, list[Move]] = field(default_factory=dict)
    deactivation: CellChange | None = None  # the change to the leaver's Active cell
    formulas: list[Held] = field(default_factory=list)  # cells it would write over formulas
    astray: list[Client] = field(default_factory=list)  # open, named otherwise: may be FROM's

    @property
    def left_over(self) -> list[Move]:
        """Clients no receiver has room for under their limit."""
        return [mv for mv in self.moves if not mv.receiver]

    def check_room(self) -> None:
        """Refuse to apply a handover that would leave clients with the leaver."""
        if not self.left_over:
            return
        n, placed = len(self.moves), len(self.moves) - len(self.left_over)
        full = ", ".join(
            f"{r.name} {r.after}/{r.limit}" for r in self.totals if r.limit is not None
        )
        raise DataError(
            f"the receivers' limits leave room for {placed} of {n} open clients of {self.source} "
            f"(open/limit: {full}); raise Limit on the Managers tab or add receivers; "
            "nothing was written"
        )

    def check_formulas(self) -> None:
        """Refuse to write plain values over the team's formulas: half a handover is no
        answer either (the leaver marked inactive with clients still on their name)."""
        if self.formulas:
            cells = "; ".join(f"{h.client}: {h.text}" for h in self.formulas)
            raise DataError(
                f"handover of {self.source} would write over the team's formulas ({cells}); "
                "replace each formula with its value, or move that client by hand, then run "
                "it again; nothing was written"
            )

    def check_astray(self) -> None:
        """Refuse to leave behind open clients whose Manager cell may mean the leaver, written
        otherwise ("Иванова О."): handed over in part, the rest would sit with nobody."""
        if self.astray:
            raise DataError(
                f"{len(self.astray)} open client(s) name a manager who may be {self.source}, "
                f"written otherwise ({astray_text(self.astray)}), and would stay behind; write "
                "the name as the Managers tab does, then run it again; nothing was written"
            )


def astray_text(clients: list[Client]) -> str:
    """Clients as a user finds them, with their Manager cell as written."""
    return "; ".join(
        f"{c.client} ({c.id + ', ' if c.id else ''}row {c.row}: {c.manager!r})" for c in clients
    )


def _astray(ws: Workspace, leaver: Manager | None) -> list[Client]:
    """Open clients whose Manager cell is no name on the roster but may be the leaver's."""
    if leaver is None:
        return []
    roster = ws.roster
    return [
        c
        for c in ws.table.clients
        if c.is_open
        and c.manager
        and roster.find(c.manager) is None
        and leaver in roster.likely(c.manager)
    ]


def _leaver(ws: Workspace, name: str) -> tuple[str, Manager | None]:
    m = ws.roster.find(name)
    if m is not None:
        return m.name, m
    for c in ws.table.clients:
        if c.manager and fold(c.manager) == fold(name):
            return c.manager, None
    names = ", ".join(sorted({m.name for m in ws.roster.managers})) or "none"
    raise DataError(
        f"no manager named {name!r} on the Managers tab or in the Manager column; managers: {names}"
    )


def _receivers(ws: Workspace, source: str, names: tuple[str, ...]) -> list[str]:
    if not names:
        others = [m for m in ws.roster.active() if fold(m.name) != fold(source)]
        out = [m.name for m in others if not m.away]
        if not out:
            away = "".join(f"; {m.name} is away or leaving" for m in others)
            raise DataError(f"no active manager other than {source} to hand the clients to{away}")
        return out
    out = []
    for name in names:
        m = ws.roster.find(name)
        if m is None:
            raise DataError(f"--to {name!r}: not on the Managers tab")
        if not m.active:
            raise DataError(f"--to {name!r}: marked inactive on the Managers tab")
        if m.away:
            raise DataError(
                f"--to {name!r}: away or leaving ({_active_cell(ws, m)}); hand the clients "
                f"to someone staying at work, or clear that cell when {m.name} is back"
            )
        if fold(m.name) == fold(source):
            raise DataError(f"--to {name!r}: is the manager handing over")
        if m.name not in out:
            out.append(m.name)
    return out


def _active_cell(ws: Workspace, m: Manager) -> str:
    """Where a manager's Active cell is and what it says."""
    column = ws.roster.columns["active"]  # only an Active cell says a manager is away
    row = ws.snapshot.tabs[ws.roster.tab].rows[m.row - 1]
    said = text(row[column]) if column < len(row) else ""
    return f"tab {ws.roster.tab!r}, row {m.row}, column {ws.roster.headers[column]!r}: {said!r}"


def _limit(ws: Workspace, name: str) -> int | None:
    m = ws.roster.find(name)
    return m.limit if m is not None else None


def _inactive(active: Any, lang: str) -> Any:
    """ "No" in the Active column's own kind: a checkbox (TRUE) stays a checkbox, 1 becomes
    0, and a word becomes the word No in the workbook language."""
    if isinstance(active, bool):
        return False
    if isinstance(active, int | float):
        return 0
    return t(lang, "no_word")


def _deactivate(ws: Workspace, plan: Plan, m: Manager) -> CellChange:
    roster, lang = ws.roster, ws.cfg.language
    width = len(roster.headers)
    while width and not roster.headers[width - 1]:
        width -= 1  # a reader pads rows with blanks; a new column goes right of the last header
    rows = ws.snapshot.tabs[roster.tab].rows
    width = used_width(width, rows[roster.header_row :])  # and of any note below it
    header = next(f for f in MANAGER_FIELDS if f.name == "active").header(lang)
    column = ensure_column(
        plan, roster.tab, roster.header_row, width, roster.columns.get("active"), header
    )
    row = rows[m.row - 1]
    old = row[column] if column < len(row) else ""
    change = CellChange(
        roster.tab,
        m.row,
        column,
        "active",
        old,
        _inactive(old, lang),
        m.name,
        m.name,
        t(lang, "why_left"),
    )
    plan.cells.append(change)
    return change


def plan_handover(
    ws: Workspace, leaver: str, to: tuple[str, ...], when: str, by: str
) -> HandoverResult:
    cfg, lang = ws.cfg, ws.cfg.language
    if not ws.roster.known:  # no receiver to name, no leaver to mark inactive
        raise DataError(
            f"{ws.backend.label}: no Managers tab, so there is nobody to hand the clients to"
        )
    check_limits(ws)
    source, manager = _leaver(ws, leaver)
    receivers = _receivers(ws, source, to)
    moving = [
        c for c in ws.table.clients if c.is_open and c.manager and fold(c.manager) == fold(source)
    ]
    loads = open_loads(ws.table.clients, ws.roster)
    before = [loads.get(r, 0) for r in receivers]
    limits = [_limit(ws, r) for r in receivers]
    days_off, week = cfg.days_off(), working_days(cfg.schedule)  # as `run` sends the lists
    moves = plan_moves(
        moving, receivers, before, ws.today, cfg.handover.working_days, limits, days_off, week
    )
    placed = [mv for mv in moves if mv.receiver]

    plan, filled = Plan(), {}
    changes = _ids_for(ws, plan, [mv.client for mv in placed], filled)
    note = t(lang, "handover_note", name=source, date=f"{ws.today:%d.%m.%Y}")
    for mv in placed:
        c = mv.client
        changes.append(client_change(ws, plan, c, "manager", mv.receiver, note, filled))
        if mv.date_changed:
            changes.append(
                client_change(ws, plan, c, "next_contact", mv.next_contact, note, filled)
            )
        comment = f"{c.comment}\n{note}" if c.comment else note
        changes.append(client_change(ws, plan, c, "comment", comment, note, filled))
    deactivate = manager is not None and manager.active
    deactivation = None
    if deactivate:
        assert manager is not None
        deactivation = _deactivate(ws, plan, manager)
        changes.append(deactivation)
    log(ws, plan, log_rows(changes, "handover", when, by, filled, plan.batch, lang))
    formulas = held_cells(ws, changes)

    totals = []
    for name, had, limit in zip(receivers, before, limits, strict=True):
        got = [mv for mv in moves if mv.receiver == name]
        warm = sum(mv.client.status == "in_progress" for mv in got)
        totals.append(ReceiverTotal(name, had, len(got), warm, had + len(got), limit))
    return HandoverResult(
        plan,
        source,
        moves,
        totals,
        add_working_days(ws.today, cfg.handover.working_days, days_off, week),
        deactivate,
        checklist(moves, ws.today),
        deactivation,
        formulas,
        _astray(ws, manager),
    )


# -- undo -----------------------------------------------------------------


@dataclass
class Skipped:
    entry: LogEntry
    reason: str
    current: Any = ""  # the cell's value now ("" when it cannot be found)
    row: int | None = None  # where the cell is, when it is found
    column: str = ""  # its column header as written in the sheet


@dataclass
class UndoResult:
    plan: Plan
    batch: list[LogEntry]  # the Log rows of the change being undone ([] when there is none)
    reverted: list[CellChange] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    already_undone: bool = False
    label: str = ""  # which apply is undone, for messages
    headers: dict[str, list[str]] = field(default_factory=dict)  # tab -> its column headers

    def header(self, tab: str, column: int) -> str:
        """A column's header as written in the sheet."""
        names = self.headers.get(tab, [])
        return names[column] if column < len(names) else ""


def last_batch(entries: list[LogEntry]) -> list[LogEntry]:
    """The Log rows of the last handover or assign: the batch of the bottom such row.

    The Log is append-only, so the row order is the order of the applies,
    whatever the clocks of the machines that wrote them said.
    """
    end = next((i for i in range(len(entries) - 1, -1, -1) if entries[i].command in UNDOABLE), -1)
    if end < 0:
        return []
    start = end  # one apply's rows are appended together: walk back over the same batch
    while start > 0 and entries[start - 1].batch == entries[end].batch:
        start -= 1
    return [e for e in entries[start : end + 1] if e.command in UNDOABLE]


def check_order(raw: RawTable, entries: list[LogEntry]) -> None:
    """Refuse a Log whose rows are out of the order sheetcrm appended them in (sorted by
    client, say): one apply's rows are appended together, so a batch found in two places
    shows it, and the last change could no longer be told from its rows."""
    seen: set[str] = set()
    previous = None
    for e in entries:
        if e.batch != previous and e.batch in seen:
            rows = [str(x.row) for x in entries if x.batch == e.batch]
            shown = ", ".join(rows[:8]) + (", ..." if len(rows) > 8 else "")
            when = _when_header(raw)
            raise DataError(
                f"tab '{raw.name}': the rows of one change (batch {e.batch}) are not together "
                f"(rows {shown}): the Log was sorted or its rows moved, so its last change "
                f"cannot be told; sort the tab by {when}, oldest first, and run undo again; "
                "nothing was written"
            )
        seen.add(e.batch)
        previous = e.batch
    _check_times(raw, entries)


# How far back another machine's clock may put an apply logged after one from this machine.
CLOCK_SKEW = timedelta(hours=2)


def _when(e: LogEntry) -> datetime | None:
    try:
        value = parse_date(e.when)
    except ValueError:
        return None  # typed over by hand: says nothing of the order
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, datetime.min.time())


def _when_header(raw: RawTable) -> str:
    """The Log's When header as the tab spells it, to say what to sort by."""
    names = log_names()
    return next(text(h) for h in raw.rows[0] if names.get(fold(text(h))) == "when")


def _check_times(raw: RawTable, entries: list[LogEntry]) -> None:
    """Refuse a Log sorted newest first, or by a column that keeps each change's rows
    together (By, Batch): its bottom change is then not the last one. A Log sorted so
    shows its changes going back in time: every one of them, or one by more than any
    machine's clock could be off."""
    starts: list[tuple[datetime, LogEntry]] = []  # the first row of each change
    previous = None
    for e in entries:
        if e.batch != previous and (when := _when(e)) is not None:
            starts.append((when, e))
        previous = e.batch
    steps = list(zip(starts, starts[1:], strict=False))
    back = [(a, b) for a, b in steps if b[0] < a[0]]
    if not back or (len(back) < len(steps) and all(a[0] - b[0] <= CLOCK_SKEW for a, b in back)):
        return
    (_, a), (_, b) = max(back, key=lambda step: step[0][0] - step[1][0])
    when = _when_header(raw)
    raise DataError(
        f"tab '{raw.name}': its rows are not in the order sheetcrm added them (row {a.row}, "
        f"{when} {a.when}, is above row {b.row}, {when} {b.when}): the Log was sorted, newest "
        f"first maybe, so its last change cannot be told; sort the tab by {when}, oldest "
        "first, and run undo again; nothing was written"
    )


def _undone(entries: list[LogEntry], batch: list[LogEntry]) -> bool:
    """An undo after the batch names it in its Why (see the why_undo message)."""
    key = batch[0].batch
    return any(e.command == "undo" and key in e.why and e.row > batch[-1].row for e in entries)


def _locate(ws: Workspace, e: LogEntry) -> tuple[str, int, int, Any, str] | str:
    """(tab, row, column, current value, key) of a logged cell, or why it cannot be found."""
    lang = ws.cfg.language
    if e.field == "active":
        m = ws.roster.find(e.client)
        column = ws.roster.columns.get("active")
        if m is None or column is None:
            return t(lang, "undo_no_manager", name=e.client)
        row = ws.snapshot.tabs[ws.roster.tab].rows[m.row - 1]
        return ws.roster.tab, m.row, column, row[column] if column < len(row) else "", m.name
    rows = [c for c in ws.table.clients if c.id == canonical(e.id)]
    if len(rows) > 1 and e.client:  # the ID pasted onto other rows: the logged name tells
        rows = [c for c in rows if fold(c.client) == fold(e.client)] or rows
    if not rows and e.client:  # the client may still be there, its ID cleared or retyped
        name = fold(e.client)
        named = [c for c in ws.table.clients if fold(c.client) == name]
        if len(named) == 1:
            c, key = named[0], "undo_id_retyped" if named[0].id else "undo_id_cleared"
            return t(lang, key, id=e.id, row=c.row, client=c.client, now=c.id)
    if len(rows) != 1:
        numbers = ", ".join(str(c.row) for c in rows)
        return t(lang, "undo_several" if rows else "undo_gone", id=e.id, rows=numbers)
    c = rows[0]
    if e.client and fold(c.client) != fold(e.client):  # the ID pasted or typed onto another
        return t(lang, "undo_other_client", id=e.id, row=c.row, now=c.client, was=e.client)
    column = ws.table.columns.get(e.field)
    if column is None:
        return t(lang, "undo_no_column", field=e.field)
    return ws.table.tab, c.row, column, _raw(c, column), e.id


def _as_date(e: LogEntry) -> Any:
    """The logged old value, a date again in a date field: from a Log that holds dates as
    text, it would go back into the team's date cell as text."""
    if e.field in DATE_FIELDS and isinstance(e.old, str):
        try:
            return parse_date(e.old) or e.old
        except ValueError:
            pass  # not a date then either: put back what was there
    return e.old


def _keep_formulas(
    ws: Workspace, restores: list[tuple[LogEntry, CellChange]], result: UndoResult
) -> None:
    """Plan the restores, but for cells the team has made formulas since: a formula showing
    what sheetcrm wrote reads as that value, and writing the old one would wipe it out."""
    formulas = formulas_under(ws, [(ch.tab, ch.row, ch.column) for _, ch in restores])
    for e, ch in restores:
        formula = formulas.get((ch.tab, ch.row, ch.column))
        if formula is None:
            result.plan.cells.append(ch)
            result.reverted.append(ch)
            continue
        column = result.header(ch.tab, ch.column) or ch.field
        why_not = t(ws.cfg.language, "undo_formula", row=ch.row, column=column, formula=formula)
        result.skipped.append(Skipped(e, why_not, ch.old, ch.row, column))


def plan_undo(ws: Workspace, when: str, by: str) -> UndoResult:
    raw = ws.tab("log")
    entries = read_log(raw)
    if raw is not None:
        check_order(raw, entries)
    batch = last_batch(entries)
    result = UndoResult(Plan(), batch)
    result.headers = {ws.table.tab: ws.table.headers, ws.roster.tab: ws.roster.headers}
    if not batch:
        return result
    first = batch[0]
    why = t(ws.cfg.language, "why_undo", batch=first.batch, command=first.command, when=first.when)
    result.label = t(
        ws.cfg.language, "undo_label", command=first.command, when=first.when, batch=first.batch
    )
    if _undone(entries, batch):
        result.already_undone = True
        return result
    restores: list[tuple[LogEntry, CellChange]] = []
    for e in batch:
        if e.field == "id":
            continue  # IDs are never taken back
        where = _locate(ws, e)
        if isinstance(where, str):
            result.skipped.append(Skipped(e, where))
            continue
        tab, row, column, current, key = where
        if text(current) != text(e.new):
            why_not = t(ws.cfg.language, "undo_edited", value=text(e.new))
            skipped = Skipped(e, why_not, current, row, result.header(tab, column))
            result.skipped.append(skipped)
            continue
        old = e.old if ws.backend.log_keeps_dates else _as_date(e)
        restores.append(
            (e, CellChange(tab, row, column, e.field, current, old, key, e.client, why))
        )
    _keep_formulas(ws, restores, result)
    rows = log_rows(result.reverted, "undo", when, by, {}, result.plan.batch, ws.cfg.language)
    log(ws, result.plan, rows)
    return result


def unwritten(ws: Workspace) -> list[Client]:
    """The clients whose changes the last apply left out, their rows deleted or moved
    beyond recognition meanwhile (a Google Sheet edited while writing; each was warned of)."""
    rows = {ch.row for ch in ws.backend.not_written if ch.tab == ws.table.tab and ch.field != "id"}
    return [c for c in ws.table.clients if c.row in rows]


def named(clients: list[Client], lang: str) -> str:
    """Clients as a user finds them: name, ID and the row they were read from (rows moved
    since, which is why they were left out)."""
    return "; ".join(
        f"{c.client} ({c.id + ', ' if c.id else ''}{t(lang, 'row_was', row=c.row)})"
        for c in clients
    )


def apply(ws: Workspace, plan: Plan) -> bool:
    """Write the plan when it changes anything; True when written."""
    if plan.is_empty():
        return False
    ensure_writable(ws, plan)
    ws.backend.apply(plan, ws.snapshot)
    return True
