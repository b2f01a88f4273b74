"""What is wrong with a row: one Finding per problem, naming row and column."""

from __future__ import annotations

from dataclasses import dataclass

# code -> (severity, shown by `check`, shown by `problems`)
CODES: dict[str, tuple[str, bool, bool]] = {
    # in the order they are listed in a row's flags cell: what to act on first
    "overdue": ("warning", False, True),
    "no_next_contact": ("error", True, True),
    "no_manager": ("warning", False, True),
    "inactive_manager": ("warning", False, True),
    "unknown_manager": ("warning", True, True),
    "refused_no_reason": ("error", True, True),
    "closed_with_next": ("warning", True, True),
    "stale": ("warning", False, True),
    "postponed_repeatedly": ("warning", False, True),  # from the history between syncs
    "reassigned": ("warning", False, True),  # from the history between syncs
    "duplicate": ("warning", True, True),
    "missing_client": ("error", True, False),
    "bad_date": ("error", True, False),
    "unknown_status": ("error", True, False),
    "duplicate_id": ("error", True, False),
    "bad_number": ("warning", True, False),
    "bad_phone": ("warning", True, False),
    "bad_email": ("warning", True, False),
    "empty_status": ("warning", True, False),
    "unknown_reason": ("warning", True, False),
    "merged_cells": ("error", True, False),
}

ORPHAN_CODES = frozenset({"no_manager", "unknown_manager", "inactive_manager", "no_next_contact"})


@dataclass(slots=True)  # tens of thousands per sync: a frozen one takes 3x as long to make
class Finding:
    code: str
    row: int
    field: str
    column: str  # the header as written in the sheet
    label: str  # short label, e.g. "overdue 5d"
    message: str  # what is wrong
    hint: str  # what would be right
    client_id: str = ""
    client: str = ""
    manager: str = ""
    days: int | None = None

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    @property
    def for_check(self) -> bool:
        return CODES[self.code][1]

    @property
    def for_problems(self) -> bool:
        return CODES[self.code][2]
