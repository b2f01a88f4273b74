"""What a plan may write: sheetcrm's own tabs and cells only, none hidden under a merge,
none longer than a cell holds. Checked before anything is written (by a sync, on a dry run too)."""

from __future__ import annotations

from sheetcrm.backends.base import find_tab, header_of
from sheetcrm.config import TAB_DEFAULTS
from sheetcrm.errors import ConfigError, DataError
from sheetcrm.plan import Plan
from sheetcrm.refs import join_ref
from sheetcrm.workspace import Workspace

CELL_LIMIT = 32_767  # characters in one cell: Excel's limit (Google Sheets allows 50,000)


def ensure_writable(ws: Workspace, plan: Plan) -> None:
    """The tabs a plan writes whole or adds rows to are sheetcrm's: never the clients or
    the managers, nor a tab of the team's that bears the name of one of sheetcrm's. No
    cell it changes in the clients' rows lies in cells merged over several rows, and none
    gets more text than a cell holds."""
    _ensure_unmerged(ws, plan)
    for ch in plan.cells:
        if isinstance(ch.new, str) and len(ch.new) > CELL_LIMIT:
            header = ws.table.header(ch.field, ws.cfg.language) if ch.tab == ws.table.tab else ""
            raise DataError(
                f"{ws.backend.label}: tab '{ch.tab}', row {ch.row}, column '{header or ch.field}':"
                f" the new text would be {len(ch.new):,} characters, more than the {CELL_LIMIT:,}"
                " a cell holds; shorten the cell. Nothing was written."
            )
    team = {ws.table.tab.casefold(), (ws.roster.tab or "").casefold()}
    writes = [(name, header_of(rows)) for name, rows in plan.tabs.items()]
    writes += [(name, header) for name, (header, _) in plan.appends.items()]
    for name, header in writes:
        key = next((k for k in TAB_DEFAULTS if ws.cfg.tab(k) == name), "")
        new = find_tab(ws.snapshot.sheet_names, name) is None
        if new and (why := ws.backend.tab_name_problem(name)):
            raise ConfigError(
                f"tabs.{key}: {name!r} cannot name an Excel tab: {why}; give the tab another"
                " name in config.yaml. Nothing was written."
            )
        if name.casefold() in team or not ws.backend.tab_is_ours(ws.snapshot, name, header):
            actual = find_tab(ws.snapshot.sheet_names, name) or name
            raise DataError(
                f"{ws.backend.label}: tab '{actual}' is the team's, not one sheetcrm made (its "
                f"header row lacks {', '.join(map(str, filter(None, header)))}); rename that "
                f"tab, or give sheetcrm's another name with tabs.{key} in config.yaml. "
                "Nothing was written."
            )


def _ensure_unmerged(ws: Workspace, plan: Plan) -> None:
    by_column: dict[int, list[tuple[int, int, int, int]]] = {}
    for m in ws.table.merged:
        for col in range(m[1], m[3] + 1):
            by_column.setdefault(col, []).append(m)
    if not by_column:
        return
    for ch in plan.cells:
        merged = by_column.get(ch.column, []) if ch.tab == ws.table.tab else []
        m = next((m for m in merged if m[0] < ch.row <= m[2] + 1), None)
        if m is not None:
            raise DataError(
                f"{ws.backend.label}: tab '{ws.table.tab}': cells "
                f"{join_ref(m[1], m[0] + 1, m[3], m[2] + 1)} are merged over several rows, "
                f"and row {ch.row} needs its own {ws.table.header(ch.field, ws.cfg.language)} "
                "there; unmerge them. Nothing was written."
            )
