"""`sync`: fill missing IDs, write the flags column, replace the owned tabs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sheetcrm.changelog import log_header, log_rows
from sheetcrm.client_ids import new_ids
from sheetcrm.config import Config
from sheetcrm.engine.agenda import agenda
from sheetcrm.engine.findings import Finding
from sheetcrm.engine.flags import flags_text
from sheetcrm.engine.refusals import summarize
from sheetcrm.errors import SheetCrmError
from sheetcrm.i18n import t
from sheetcrm.listings import Listing, problems_listing, refusals_listing, today_listing
from sheetcrm.plan import CellChange, NewColumn, Plan
from sheetcrm.schema import CLIENT_FIELDS, fold
from sheetcrm.table import Client, ClientTable
from sheetcrm.workspace import Workspace, gc_paused
from sheetcrm.writable import ensure_writable

if TYPE_CHECKING:
    from sheetcrm.history import Pending


@dataclass
class SyncResult:
    plan: Plan
    ids_filled: int = 0
    flags_changed: int = 0
    assigned: int = 0
    tabs_replaced: list[str] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    applied: bool = False
    history: Pending | None = None  # what this sync saw, stored once it has written
    warnings: list[str] = field(default_factory=list)  # one line each, for stderr or the log

    @property
    def changed(self) -> bool:
        return not self.plan.is_empty()


def ensure_column(
    plan: Plan, tab: str, header_row: int, width: int, index: int | None, header: str
) -> int:
    """`index` when the tab has the column, else a new column right of the table (and of
    any column the plan already adds to that tab)."""
    if index is not None:
        return index
    for added in plan.columns:
        if added.tab == tab and added.header == header:  # already added by this plan
            return added.column
    taken = [c.column for c in plan.columns if c.tab == tab]
    index = max([width - 1, *taken]) + 1
    plan.columns.append(NewColumn(tab, header_row, index, header))
    return index


def owned_column(table: ClientTable, plan: Plan, name: str, cfg: Config) -> int:
    """The column index of a client field, adding the column to the plan if missing
    (under the header config.yaml names for it, which the next read looks for)."""
    default = next(f for f in CLIENT_FIELDS if f.name == name).header(cfg.language)
    header = cfg.columns.get(name) or default
    index = table.columns.get(name)
    return ensure_column(plan, table.tab, table.header_row, table.width, index, header)


def fill_ids(ws: Workspace, plan: Plan, clients: list[Client]) -> dict[int, str]:
    """Plan new IDs for those of `clients` that have none; sheet row -> new ID. They
    continue after the highest ID in the sheet or ever given to it (the history knows).

    The clients are given their new IDs in memory, so what is written next
    (tabs, Log rows) shows the IDs the sheet is about to have.
    """
    missing = [c for c in clients if not c.id]
    if not missing:
        return {}
    from sheetcrm.history import highest_id_given, vanished_ids  # sqlite only when needed

    table, lang = ws.table, ws.cfg.language
    id_col = owned_column(table, plan, "id", ws.cfg)
    filled: dict[int, str] = {}
    known = {c.id for c in table.clients if c.id}
    # a row whose ID was cleared since the last sync, told by its client's name (if no
    # other row without an ID bears it), gets that ID back
    gone = vanished_ids(ws.cfg, ws.backend, known)
    names = {c.row: fold(c.client) for c in missing}
    alone = Counter(names.values())
    back = {row: gone[n] for row, n in names.items() if alone[n] == 1 and n in gone}
    top = highest_id_given(ws.cfg, ws.backend, known)
    ids = iter(new_ids(known, len(missing) - len(back), top))
    why = {False: t(lang, "why_new_id"), True: t(lang, "why_id_back")}  # shared by every change
    for c in missing:
        new = back.get(c.row) or next(ids)
        filled[c.row] = new
        change = CellChange(
            table.tab, c.row, id_col, "id", "", new, "", c.client, why[c.row in back]
        )
        plan.cells.append(change)
        c.id = new
    return filled


def append_log(plan: Plan, cfg: Config, rows: list[list[Any]]) -> None:
    """Add rows to the Log rows this plan appends."""
    if rows:
        name = cfg.tab("log")
        header, existing = plan.appends.get(name, (log_header(cfg), []))
        plan.appends[name] = (header, [*existing, *rows])


def refusals_tab(ws: Workspace) -> list[list[Any]]:
    reasons = ws.cfg.reasons()
    overall = refusals_listing(summarize(ws.table.clients, reasons), ws.cfg)
    by_manager = refusals_listing(
        summarize(ws.table.clients, reasons, by="manager"), ws.cfg, by="manager"
    )
    return [*overall.sheet_rows(), [], *by_manager.sheet_rows()]


def owned_tabs(
    ws: Workspace, found: list[Finding], history: Pending | None = None
) -> dict[str, list[list[Any]]]:
    listings: dict[str, Listing] = {
        "today": today_listing(agenda(ws.table, ws.roster, ws.today), ws.cfg),
        "problems": problems_listing(found, ws.cfg),
    }
    tabs = {ws.cfg.tab(key): listing.sheet_rows() for key, listing in listings.items()}
    tabs[ws.cfg.tab("refusals")] = refusals_tab(ws)
    if ws.cfg.keep_report_tab:
        from sheetcrm.report_listings import report_tab

        tabs[ws.cfg.tab("report")] = report_tab(ws, history.events if history else [])
    return tabs


def plan_sync(ws: Workspace, when: str, by: str, history: bool = True) -> SyncResult:
    table, lang = ws.table, ws.cfg.language
    plan = Plan()
    result = SyncResult(plan)
    owned_column(table, plan, "id", ws.cfg)  # the column is added even when no ID is missing
    filled = fill_ids(ws, plan, table.clients)
    result.ids_filled = len(filled)
    append_log(plan, ws.cfg, log_rows(list(plan.cells), "sync", when, by, filled, plan.batch, lang))
    if ws.cfg.routing.auto_assign and (problems := ws.roster.problems()):
        # what stops `assign` must not route silently either; the rest of the sync goes on
        result.warnings.append(
            "routing.auto_assign: new leads were not assigned until the Managers tab is fixed: "
            + "; ".join(problems)
        )
    elif ws.cfg.routing.auto_assign:
        from sheetcrm.team import auto_left, route_into  # sheetcrm.team builds on this module

        # with no preview, a name off the roster (a typo, a manager renamed on the Managers
        # tab first) would cost her every client at the next sync: that waits for `assign`
        routed = route_into(ws, plan, when, by, filled, unknown=False)
        result.assigned = sum(1 for a in routed if a.manager)
        if left := [a for a in routed if not a.manager]:
            result.warnings.append(auto_left(left, lang))

    if history:
        from sheetcrm.history import pending_history  # only sync and reports need sqlite

        result.history = pending_history(ws, plan)
    flag_col = owned_column(table, plan, "flags", ws.cfg)
    found = (
        ws.findings(result.history.findings, result.history.owners)
        if result.history
        else ws.findings()
    )
    wanted = flags_text(found)
    for c in table.clients:
        new = wanted.get(c.row, "")
        if new != c.flags:
            key = "" if c.row in filled else c.id  # the ID the row had when read
            plan.cells.append(
                CellChange(table.tab, c.row, flag_col, "flags", c.flags, new, key, c.client)
            )
            result.flags_changed += 1
    for name, rows in owned_tabs(ws, found, result.history).items():
        if ws.backend.tab_differs(ws.snapshot, name, rows):
            plan.tabs[name] = rows
            result.tabs_replaced.append(name)
    result.columns_added = [c.header for c in plan.columns]
    ensure_writable(ws, plan)
    return result


def sync(
    ws: Workspace, when: str, by: str, dry_run: bool = False, history: bool = True
) -> SyncResult:
    """Plan and apply; then store what was seen in the history (not on a dry run, not
    when applying failed)."""
    with gc_paused():
        try:
            result = plan_sync(ws, when, by, history)
            if not dry_run and result.changed:
                ws.backend.apply(result.plan, ws.snapshot)
                result.applied = True
        finally:
            ws.backend.close()  # a dry run, or nothing to change: what planning opened
    if not dry_run and result.history is not None:
        try:
            result.history.commit(when)
        except SheetCrmError as exc:
            done = "synced" if result.applied else "up to date"
            message = f"{ws.backend.label}: {done}, but the history was not stored: {exc}"
            raise type(exc)(message) from None
    return result


def describe(result: SyncResult, label: str, dry_run: bool, lang: str = "en") -> str:
    """One line per kind of change, for the terminal, in the workbook's language."""
    from sheetcrm.i18n import t

    mode = "dry" if dry_run else "did"
    seen = len(result.history.new) if result.history else 0
    recorded = t(lang, f"sync_{mode}_history", n=seen) if seen else ""
    if result.history and result.history.moved_from:
        key = "sync_dry_history_moved" if dry_run else "sync_history_moved"  # nothing stored yet
        moved = t(lang, key, old=result.history.moved_from)
        recorded = "\n".join(filter(None, [moved, recorded]))
    if result.history and result.history.copied_from:
        where = {"old": result.history.copied_from, "new": result.history.path}
        recorded = "\n".join(
            filter(None, [t(lang, f"sync_{mode}_history_copied", **where), recorded])
        )
    if not result.changed:
        return "\n".join(filter(None, [t(lang, "sync_up_to_date", label=label), recorded]))
    lines = [t(lang, f"sync_{mode}", label=label)]
    counts = {
        "columns": ", ".join(result.columns_added),
        "ids": result.ids_filled,
        "assigned": result.assigned,
        "flags": result.flags_changed,
        "tabs": ", ".join(result.tabs_replaced),
    }
    for what, n in counts.items():
        if n:
            lines.append(t(lang, f"sync_{mode}_{what}", n=n))
    return "\n".join(filter(None, [*lines, recorded]))
