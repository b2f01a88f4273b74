"""Cell formats sheetcrm needs (dates, a bold header), appended to styles.xml.

Existing entries and their indices never move: new fonts, number formats
and cell formats go at the end of their lists, so every cell keeps its look.
"""

from __future__ import annotations

import re

from sheetcrm.backends.xlsxpackage import (
    Package,
    attr_pattern,
    decode,
    escape,
    prefix_for,
    set_attr,
)

# builtin number formats that show a date (ECMA-376 18.8.30)
_DATE_BUILTINS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47}
_DATE_CODE = re.compile(r"[dmyhs]", re.I)
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_NUM_FMT = attr_pattern("numFmtId")


class Styles:
    """styles.xml of one package; `apply()` stores it back when anything was added."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.part = next(
            (
                r.target
                for r in package.workbook_rels.values()
                if r.type.endswith("/styles") and package.has(r.target)
            ),
            None,
        )
        self.xml, self.encoding = decode(package.read(self.part)) if self.part else ("", "utf-8")
        self.p = prefix_for(self.xml, package.main_ns) if self.xml else None
        self.changed = False
        self._cache: dict[tuple[int, str], int] = {}
        self._bold: int | None = None
        self.usable = self.p is not None and all(self._section(s) for s in ("fonts", "cellXfs"))

    def _section(self, name: str) -> re.Match[str] | None:
        return re.search(
            rf"<{self.p}{name}\b[^>]*?(?:/>|>(.*?)</{self.p}{name}\s*>)", self.xml, re.S
        )

    def _items(self, section: str, item: str) -> list[str]:
        m = self._section(section)
        body = m[1] if m and m[1] else ""
        return re.findall(rf"<{self.p}{item}\b[^>]*?(?:/>|>.*?</{self.p}{item}\s*>)", body, re.S)

    def _append(self, section: str, item_xml: str) -> int:
        """Append to a section (creating numFmts when absent); the new item's index."""
        index = len(self._items(section, section[:-1] if section != "cellXfs" else "xf"))
        m = self._section(section)
        if m is None:  # only numFmts may be missing: it is the first child of styleSheet
            root = re.search(r"<(?![?!])[^>]*>", self.xml)
            assert root is not None
            block = f'<{self.p}{section} count="1">{item_xml}</{self.p}{section}>'
            self.xml = self.xml[: root.end()] + block + self.xml[root.end() :]
        else:
            start_tag = re.match(r"<[^>]*>", m[0])
            assert start_tag is not None
            tag = start_tag[0]
            opened = set_attr(
                tag[:-2] + ">" if tag.endswith("/>") else tag, "count", str(index + 1)
            )
            close = f"</{self.p}{section}>"
            inner = m[1] if m[1] is not None else ""
            self.xml = (
                self.xml[: m.start()] + opened + inner + item_xml + close + self.xml[m.end() :]
            )
        self.changed = True
        return index

    def _reuse_or_append(self, section: str, item_xml: str) -> int:
        """The index of an item equal to `item_xml` (one an earlier sync appended), else
        append it: styles.xml must not grow by the same formats on every sync."""
        item = section[:-1] if section != "cellXfs" else "xf"
        items = self._items(section, item)
        if item_xml in items:
            return items.index(item_xml)
        return self._append(section, item_xml)

    def is_date_style(self, xf: int) -> bool:
        xfs = self._items("cellXfs", "xf") if self.usable else []
        if xf >= len(xfs):
            return False
        m = _NUM_FMT.search(re.match(r"<[^>]*>", xfs[xf])[0])  # type: ignore[index]
        fmt = int(m[2]) if m and m[2].isdigit() else 0
        if fmt in _DATE_BUILTINS:
            return True
        for nf in self._items("numFmts", "numFmt"):
            id_m = _NUM_FMT.search(nf)
            if id_m and id_m[2] == str(fmt):
                code = attr_pattern("formatCode").search(nf)
                return bool(code and _DATE_CODE.search(_QUOTED.sub("", code[2])))
        return False

    def _num_fmt(self, code: str) -> int:
        for nf in self._items("numFmts", "numFmt"):
            c = attr_pattern("formatCode").search(nf)
            if c and c[2] == code:
                return int(_NUM_FMT.search(nf)[2])  # type: ignore[index]
        ids = [int(m[2]) for nf in self._items("numFmts", "numFmt") if (m := _NUM_FMT.search(nf))]
        new_id = max([163, *ids]) + 1
        self._append(
            "numFmts", f'<{self.p}numFmt numFmtId="{new_id}" formatCode="{escape(code)}"/>'
        )
        return new_id

    def with_format(self, xf: int, code: str) -> int | None:
        """A cell format like `xf` showing numbers with `code`; None when styles are unusable."""
        if not self.usable:
            return None
        if (xf, code) in self._cache:
            return self._cache[(xf, code)]
        fmt = self._num_fmt(code)
        xfs = self._items("cellXfs", "xf")
        base = (
            xfs[xf]
            if xf < len(xfs)
            else f'<{self.p}xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        )
        tag = re.match(r"<[^>]*>", base)[0]  # type: ignore[index]
        new_tag = set_attr(set_attr(tag, "numFmtId", str(fmt)), "applyNumberFormat", "1")
        index = self._reuse_or_append("cellXfs", new_tag + base[len(tag) :])
        self._cache[(xf, code)] = index
        return index

    def bold(self) -> int | None:
        """A cell format with the default font in bold."""
        if not self.usable:
            return None
        if self._bold is None:
            fonts = self._items("fonts", "font")
            first = fonts[0] if fonts else f"<{self.p}font/>"
            inner = re.sub(r"^<[^>]*?/?>|</[^>]*>$", "", first)
            font = self._reuse_or_append(
                "fonts", f"<{self.p}font><{self.p}b/>{inner}</{self.p}font>"
            )
            xf = f'<{self.p}xf numFmtId="0" fontId="{font}" fillId="0" borderId="0" xfId="0"'
            xf += ' applyFont="1"/>'
            self._bold = self._reuse_or_append("cellXfs", xf)
        return self._bold

    def store(self) -> None:
        if self.changed and self.part:
            self.package.replace(self.part, self.xml.encode(self.encoding))
