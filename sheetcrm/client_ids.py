"""Client IDs: C00001, C00002, … never given twice."""

from __future__ import annotations

import re
from collections.abc import Iterable

# c00007 typed by hand is C00007 still, and so is С00007 typed with a Russian keyboard's С
_ID = re.compile(r"[CcСс](\d+)")

# In SQL: whether a column holds such an ID, and its number.
SQL_IS_ID = "({0} GLOB '[Cc][0-9]*' AND substr({0}, 2) NOT GLOB '*[^0-9]*')"
SQL_NUMBER = "CAST(substr({0}, 2) AS INTEGER)"


def canonical(value: str) -> str:
    """An ID as sheetcrm gives it (C00007) when `value` is one typed otherwise (c00007,
    С00007 with a Cyrillic С); any other ID of the team's as it is."""
    if value[:1] == "C" and value[1:].isdigit():
        return value
    m = _ID.fullmatch(value)
    return f"C{m[1]}" if m else value


def highest(ids: Iterable[str]) -> int:
    """The highest number among IDs of the form C00042 (0 when there is none)."""
    return max((int(m[1]) for s in ids if (m := _ID.fullmatch(s))), default=0)


def new_ids(existing: Iterable[str], count: int, given: int = 0) -> list[str]:
    """`count` IDs after the highest in use and the highest ever `given`: an ID freed by
    deleting its client is not handed to another, which the history would read as the
    old client renamed."""
    top = max(highest(existing), given)
    return [f"C{n:05d}" for n in range(top + 1, top + 1 + count)]
