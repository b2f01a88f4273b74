"""The interface every source implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.plan import CellChange, Plan
from sheetcrm.schema import fold
from sheetcrm.table import RawTable
from sheetcrm.values import text


@dataclass
class Snapshot:
    """What one read returned: the tabs asked for that exist, by name."""

    tabs: dict[str, RawTable]
    sheet_names: list[str]
    date1904: bool = False
    fingerprint: object = None  # backend-specific; apply() checks it
    extra: dict[str, object] = field(default_factory=dict)


def find_tab(names: Iterable[str], name: str) -> str | None:
    """The tab of `names` called `name` (Excel and Google ignore case in tab names)."""
    folded = name.casefold()
    return next((n for n in names if n.casefold() == folded), None)


class Backend(ABC):
    """Read tabs into raw tables; apply a plan. Nothing else knows the source kind."""

    #: a short human name of the source for messages ("crm.xlsx", "Google Sheet …")
    label: str = ""
    #: whether the owned tabs are read with the others, for `tab_differs`
    reads_owned_tabs: bool = True
    #: whether a date logged from a team's cell reads back from the Log as a date (a Google
    #: Sheet's Log holds dates as text)
    log_keeps_dates: bool = True
    #: the changes the last apply left out because their row could not be found for certain
    #: (a Google Sheet edited meanwhile); their Log rows are left out too
    not_written: tuple[CellChange, ...] = ()

    @abstractmethod
    def read(self, tab_names: list[str]) -> Snapshot:
        """Read every named tab that exists, in as few requests as the source allows."""

    @abstractmethod
    def apply(self, plan: Plan, snapshot: Snapshot) -> None:
        """Write the plan, or raise SheetCrmError having written nothing."""

    def writing(self) -> AbstractContextManager[None]:
        """Held by a command that writes, from its reading to its writing: other sheetcrm
        commands writing to the same source wait meanwhile (where the source can tell)."""
        return nullcontext()

    def close(self) -> None:  # noqa: B027  (most backends keep nothing open: no-op on purpose)
        """Let go of what planning kept open for applying."""

    def tab_name_problem(self, name: str) -> str:
        """Why the source cannot have a new tab called `name` ('' when it can)."""
        return ""

    def formulas(self, tab: str, cells: Collection[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Of `cells` (sheet row, 0-based column) on `tab`, those holding a formula now, with
        its text: what a reader gives is the value it shows."""
        return {}

    def tab_differs(self, snapshot: Snapshot, name: str, rows: list[list[Any]]) -> bool:
        """Whether the tab as read shows other text than `rows` (trailing blanks aside)."""
        return rows_differ(snapshot.tabs.get(find_tab(snapshot.tabs, name) or ""), rows)

    def tab_is_ours(self, snapshot: Snapshot, name: str, header: list[Any]) -> bool:
        """Whether sheetcrm may write tab `name` whole or add rows to it: the sheet has
        no such tab, or the tab carries sheetcrm's `header` (see `carries_header`)."""
        actual = find_tab(snapshot.sheet_names, name)
        if actual is None:
            return True
        raw = snapshot.tabs.get(actual)
        if raw is None and (raw := self.read([actual]).tabs.get(actual)) is not None:
            snapshot.tabs[actual] = raw  # kept: rows added to it go under its header
        return carries_header(raw, header)


def header_of(rows: list[list[Any]]) -> list[Any]:
    """The column labels of a tab: its first row of two values or more (a title above is
    no header: the Report's names the month)."""
    return next((r for r in rows if sum(1 for c in r if text(c)) > 1), [])


def carries_header(raw: RawTable | None, header: list[Any]) -> bool:
    """Whether a tab is empty or its header has at least half of the labels of `header`:
    a tab sheetcrm wrote, even by a version that named a column otherwise, and not a
    tab of the team's that happens to bear the same name."""
    if raw is None or not any(map(_trimmed, raw.rows)):
        return True
    wanted = {fold(text(h)) for h in header} - {""}
    labels = {fold(text(c)) for c in header_of(raw.rows)} - {""}
    return len(wanted & labels) * 2 >= len(wanted) > 0


def rows_differ(existing: RawTable | None, rows: list[list[Any]]) -> bool:
    """Whether a tab as read shows other text than `rows` (trailing blanks aside).

    Compared row by row, stopping at the first difference: owned tabs run to
    tens of thousands of rows, and a day's changes usually show near the top.
    """
    if existing is None:
        return True
    old = existing.rows
    for i in range(max(len(old), len(rows))):
        a = _trimmed(old[i]) if i < len(old) else []
        b = _trimmed(rows[i]) if i < len(rows) else []
        if a != b:
            return True
    return False


def _trimmed(row: list[Any]) -> list[str]:
    out = [text(c) for c in row]
    while out and not out[-1]:
        out.pop()
    return out
