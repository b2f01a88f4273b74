"""A table (ListObject) the team made on an owned tab, fitted to the tab written anew
or grown to take the rows added under it."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from sheetcrm.backends.xlsxpackage import attr_pattern, escape, set_attr
from sheetcrm.refs import join_ref, split_ref
from sheetcrm.values import text

_REF = attr_pattern("ref")
_ID = attr_pattern("id")
_NAME = attr_pattern("name")
_COUNT = attr_pattern("headerRowCount")
_TOTALS = attr_pattern("totalsRowCount")


def _element(p: str, tag: str) -> str:
    """A pattern for one element, empty or with content."""
    return rf"<{p}{tag}\b[^>]*?(?:/>|>.*?</{p}{tag}\s*>)"


def _swap(xml: str, p: str, tag: str, new: str) -> str:
    """The first `tag` element replaced by `new` ('' takes it out)."""
    return re.sub(_element(p, tag), lambda _: new, xml, count=1, flags=re.S)


def _root(xml: str, p: str) -> re.Match[str] | None:
    return re.search(rf"<{p}table\b[^>]*>", xml)


def carries_over(xml: str, p: str) -> bool:
    """Whether the table can follow a rewritten tab: it starts at A1 with a header row
    (sheetcrm's header) and has no totals row (its formulas would sit in no written cell)."""
    root = _root(xml, p)
    if root is None:
        return False
    ref, count, totals = (a.search(root[0]) for a in (_REF, _COUNT, _TOTALS))
    box = split_ref(ref[2]) if ref else None
    return (
        box is not None
        and box[:2] == (0, 1)
        and (count is None or count[2] == "1")
        and (totals is None or totals[2] == "0")
    )


def _names(header: list[Any]) -> list[str]:
    """Column names as Excel requires them: not blank, each one once."""
    names: list[str] = []
    seen: set[str] = set()
    for i, value in enumerate(header):
        name = text(value).strip() or f"Column{i + 1}"
        base, n = name, 2
        while name.casefold() in seen:
            name, n = f"{base}{n}", n + 1
        seen.add(name.casefold())
        names.append(name)
    return names


def fit_table(xml: str, p: str, header: list[Any], height: int) -> str:
    """The table's part covering A1 to the header's last column and `height` rows (at
    least one below the header, as Excel wants). A column keeps its settings (style,
    formula) where its name is unchanged; filter criteria and sorting are dropped, as
    the columns they name may be gone."""
    names = _names(header or [""])
    ref = join_ref(0, 1, len(names) - 1, max(height, 2))
    old = {
        unescape(name[2]): m[0]
        for m in re.finditer(_element(p, "tableColumn"), xml, re.S)
        if (name := _NAME.search(m[0]))
    }
    ids = [int(m[2]) for col in old.values() if (m := _ID.search(col)) and m[2].isdigit()]
    fresh = max(ids, default=0)
    columns = []
    for name in names:
        if name in old:
            columns.append(old.pop(name))
        else:
            fresh += 1
            columns.append(f'<{p}tableColumn id="{fresh}" name="{escape(name)}"/>')
    listed = "".join(columns)
    xml = _swap(
        xml, p, "tableColumns", f'<{p}tableColumns count="{len(names)}">{listed}</{p}tableColumns>'
    )
    xml = _swap(xml, p, "autoFilter", f'<{p}autoFilter ref="{ref}"/>')
    xml = _swap(xml, p, "sortState", "")
    root = _root(xml, p)
    assert root is not None  # carries_over() found it
    return xml[: root.start()] + set_attr(root[0], "ref", ref) + xml[root.end() :]


def grow_down(xml: str, p: str, last: int, new_last: int) -> str | None:
    """The table's part reaching down to row `new_last`, when it reaches row `last` (the
    last one holding a value, the rows added go under it); None when it takes no rows:
    it ends higher up, or its totals row would stay above them."""
    root = _root(xml, p)
    ref = _REF.search(root[0]) if root else None
    box = split_ref(ref[2]) if ref else None
    totals = _TOTALS.search(root[0]) if root else None
    if root is None or box is None or not box[1] <= last <= box[3] < new_last:
        return None
    if totals is not None and totals[2] != "0":
        return None
    new = join_ref(box[0], box[1], box[2], new_last)
    xml = re.sub(rf"<{p}autoFilter\b[^>]*>", lambda m: set_attr(m[0], "ref", new), xml, count=1)
    root = _root(xml, p)
    assert root is not None
    return xml[: root.start()] + set_attr(root[0], "ref", new) + xml[root.end() :]
