"""Finding a row again after people inserted, deleted or sorted rows.

A cell change carries the row number seen when reading and the key that row
had (client ID, or manager name on the Managers tab). Just before writing,
the key column is read again and each change goes to the row where its key
now is. A change is skipped, never guessed, when its row cannot be found
for certain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sheetcrm.client_ids import canonical
from sheetcrm.values import is_blank, text


@dataclass(frozen=True)
class KeyColumns:
    header_row: int  # 1-based
    key: int | None  # 0-based column of the key (None: not in the sheet yet)
    name: int | None  # the client's name, for rows that had no key when read
    label: str = "ID"  # the key column's header, naming the key in messages ("Имя Сергей")


def _column(rows: Sequence[Sequence[Any]], col: int | None) -> list[str]:
    if col is None:
        return [""] * len(rows)
    return [text(r[col]) if col < len(r) else "" for r in rows]


def _index(keys: list[str], names: list[str], header_row: int) -> dict[tuple[str, str], list[int]]:
    """(key, "") -> 1-based rows below the header holding that key; ("", name) -> rows
    without a key whose client is `name`."""
    out: dict[tuple[str, str], list[int]] = {}
    for i, (k, n) in enumerate(zip(keys, names, strict=True)):
        if i < header_row or not (k or n):
            continue
        out.setdefault((canonical(k), "") if k else ("", n), []).append(i + 1)
    return out


def relocate(
    read_rows: Sequence[Sequence[Any]],
    now_keys: list[Any],
    now_names: list[Any],
    cols: KeyColumns,
    wanted: dict[int, str],
) -> tuple[dict[int, int], dict[int, str], set[int]]:
    """Map each read row (with the key it had) to its row now.

    `read_rows` is the tab as read; `now_keys`/`now_names` the key and name
    columns read again (index 0 = row 1). Returns (read row -> row now,
    read row -> why it was skipped, twins): twins are rows without a key
    whose name is on several such rows that stayed where they were; they
    may still have swapped, so only a new ID (the same to both) may go there.
    """
    before_keys = _column(read_rows, cols.key)
    before_names = _column(read_rows, cols.name)
    height = max(len(now_keys), len(now_names))
    keys = [text(v) if not is_blank(v) else "" for v in now_keys] + [""] * (height - len(now_keys))
    names = [text(v) for v in now_names] + [""] * (height - len(now_names))
    now_at = _index(keys, names, cols.header_row)
    before_at = _index(before_keys, before_names, cols.header_row)
    found: dict[int, int] = {}
    skipped: dict[int, str] = {}
    twins: set[int] = set()
    for row, key in wanted.items():
        name = before_names[row - 1] if row - 1 < len(before_names) else ""
        key = canonical(key)
        which = (key, "") if key else ("", name)
        now = now_at.get(which, []) if key or name else []
        before = before_at.get(which, []) if key or name else []
        if key and name and max(len(now), len(before)) > 1:
            # a key pasted onto several rows: the client's name may still tell them apart
            same_now = [r for r in now if names[r - 1] == name]
            same_before = [r for r in before if before_names[r - 1] == name]
            if len(same_now) == len(same_before) == 1:
                now, before = same_now, same_before
        what = f"{cols.label} {key}" if key else f"{name!r} (no ID yet)"
        if len(now) == 1 and len(before) == 1:
            found[row] = now[0]
        elif now and now == before:
            found[row] = row  # several alike, none of them moved
            if not key:
                twins.add(row)
        elif not now:
            skipped[row] = f"{what}: no longer in the sheet"
        else:
            skipped[row] = f"{what}: on several rows that moved; cannot tell which is which"
    return found, skipped, twins
