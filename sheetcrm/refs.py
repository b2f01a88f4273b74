"""A1 references: column letters, cells and ranges."""

from __future__ import annotations

import re

CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def col_letter(index: int) -> str:
    """'A' for column 0."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def split_ref(ref: str) -> tuple[int, int, int, int] | None:
    """(first col, first row, last col, last row) of 'A1:C9' or 'B2'; cols 0-based."""
    parts = ref.split(":")
    cells = [CELL_REF.match(p.strip()) for p in parts]
    if not cells or len(cells) > 2 or not all(cells):
        return None
    (c1, r1), (c2, r2) = ((col_index(m[1]), int(m[2])) for m in (cells[0], cells[-1]))  # type: ignore[index]
    return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)


def join_ref(c1: int, r1: int, c2: int, r2: int) -> str:
    first = f"{col_letter(c1)}{r1}"
    return first if (c1, r1) == (c2, r2) else f"{first}:{col_letter(c2)}{r2}"
