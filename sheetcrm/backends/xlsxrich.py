"""Rich text (runs, each with its own font: "**Важно:** перезвонить") kept in a team's cell
whose text sheetcrm extends or shortens: `handover` adds a note to a comment, `undo` takes
it off again. Written as plain text, the cell would lose its bold or coloured parts.
"""

from __future__ import annotations

import re
from html import unescape

from sheetcrm.backends.xlsxpackage import Package, decode, escape, prefix_for
from sheetcrm.errors import SheetCrmError
from sheetcrm.plan import CellChange

_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037\ufffe\uffff]")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # a character stored as _xHHHH_
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_TYPE = re.compile(r"""(?<![\w:.-])t\s*=\s*["'](\w+)["']""")


class KeepRuns(str):
    """A new text of a team's cell that extends or shortens the text it holds."""


def planned(ch: CellChange) -> object:
    """The value to write for `ch`: text that extends or shortens the team's text keeps
    the runs of the cell (sheetcrm's own ID and Flags cells have none to keep)."""
    old, new = ch.old, ch.new
    if ch.field in ("id", "flags") or type(old) is not str or type(new) is not str:
        return new
    if old and new and old != new and (new.startswith(old) or old.startswith(new)):
        return KeepRuns(new)
    return new


def t_element(p: str, text: str) -> str:
    """<t> holding `text` as Excel and calamine read it back."""
    content = _ESCAPE_LIKE.sub(r"_x005F_\1", _ILLEGAL.sub("", text))
    space = ' xml:space="preserve"' if content != content.strip() or "\n" in content else ""
    return f"<{p}t{space}>{escape(content)}</{p}t>"


class SharedStrings:
    """The shared strings of a package, read the first time one is asked for."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self._items: list[str] | None = None
        self.p = ""

    def item(self, index: int) -> str | None:
        """The inner XML of the index-th <si>, None when there is none."""
        if self._items is None:
            self._items = []
            part = next(
                (
                    r.target
                    for r in self.pkg.workbook_rels.values()
                    if r.type.endswith("/sharedStrings")
                ),
                None,
            )
            try:
                xml = decode(self.pkg.read(part))[0] if part and self.pkg.has(part) else ""
            except SheetCrmError:
                xml = ""
            self.p = prefix_for(xml, self.pkg.main_ns) or ""
            si = re.compile(rf"<{self.p}si\b[^>]*?(?:/>|>(.*?)</{self.p}si\s*>)", re.S)
            self._items = [m[1] or "" for m in si.finditer(xml)]
        return self._items[index] if 0 <= index < len(self._items) else None


def _runs(inner: str, p: str) -> list[tuple[str, str]] | None:
    """(rPr element, plain text) of each run of a string item; None without runs."""
    run = re.compile(
        rf"<{p}r>\s*(<{p}rPr\b[^>]*?(?:/>|>.*?</{p}rPr\s*>))?\s*<{p}t\b[^>]*?(?:/>|>(.*?)</{p}t\s*>)\s*</{p}r\s*>",
        re.S,
    )
    found = list(run.finditer(inner))
    if not found:
        return None
    text = "".join(m[0] for m in found)
    rest = re.sub(
        rf"<{p}(rPh|phoneticPr)\b.*?(?:/>|</{p}\1\s*>)", "", inner.replace(text, ""), flags=re.S
    )
    if rest.strip():  # text outside the runs
        return None
    return [
        (m[1] or "", _ESCAPED.sub(lambda e: chr(int(e[1], 16)), unescape(m[2] or "")))
        for m in found
    ]


def rich_inline(
    value: KeepRuns, attrs: str, inner: str | None, p: str, strings: SharedStrings | None
) -> str | None:
    """The <is> of a cell (its `attrs` and `inner` XML as they are) holding `value`, with the
    runs of its text kept; None when it holds no runs or `value` is not its text cut or
    extended."""
    kind = _TYPE.search(attrs)
    if not inner or kind is None:
        return None
    if kind[1] == "inlineStr":
        m = re.search(rf"<{p}is\b[^>]*>(.*?)</{p}is\s*>", inner, re.S)
        runs = _runs(m[1], p) if m else None
    elif kind[1] == "s" and strings is not None:
        v = re.search(rf"<{p}v\b[^>]*>\s*(\d+)\s*</{p}v\s*>", inner)
        item = strings.item(int(v[1])) if v else None
        runs = _runs(item, strings.p) if item is not None and strings.p == p else None
    else:
        return None
    if not runs:
        return None
    old = "".join(text for _, text in runs)
    if value.startswith(old):
        runs.append(("", value[len(old) :]))
    elif old.startswith(value):
        left, kept = len(value), []
        for rpr, text in runs:
            kept.append((rpr, text[:left]))
            left -= len(kept[-1][1])
        runs = kept
    else:
        return None
    body = "".join(f"<{p}r>{rpr}{t_element(p, text)}</{p}r>" for rpr, text in runs if text)
    return f"<{p}is>{body}</{p}is>"
