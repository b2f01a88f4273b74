"""Client IDs: C00001, C00002, … never given twice."""

from __future__ import annotations

import re
from collections.abc import Iterable

_ID = re.compile(r"[Cc](\d+)")  # c00007 typed by hand is C00007 still

# In SQL: whether a column holds such an ID, and its number.
SQL_IS_ID = "({0} GLOB '[Cc][0-9]*' AND substr({0}, 2) NOT GLOB '*[^0-9]*')"
SQL_NUMBER = "CAST(substr({0}, 2) AS INTEGER)"


def highest(ids: Iterable[str]) -> int:
    """The highest number among IDs of the form C00042 (0 when there is none)."""
    return max((int(m[1]) for s in ids if (m := _ID.fullmatch(s))), default=0)


def new_ids(existing: Iterable[str], count: int, given: int = 0) -> list[str]:
    """`count` IDs after the highest in use and the highest ever `given`: an ID freed by
    deleting its client is not handed to another, which the history would read as the
    old client renamed."""
    top = max(highest(existing), given)
    return [f"C{n:05d}" for n in range(top + 1, top + 1 + count)]
