"""Worksheet XML: change a few cells of a sheet in one pass, append rows, render a new sheet.

Rows and cells are found with regular expressions on the part's text: only the
rows that change are taken apart; every other byte of the part is copied.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

from sheetcrm.backends.xlsxpackage import attr_pattern, escape, set_attr
from sheetcrm.backends.xlsxrich import KeepRuns, SharedStrings, rich_inline
from sheetcrm.backends.xlsxstyles import Styles
from sheetcrm.errors import UnsupportedContent
from sheetcrm.refs import CELL_REF as _REF
from sheetcrm.refs import col_index, col_letter, join_ref, split_ref
from sheetcrm.values import PERCENT_FORMAT, Percent

DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037\ufffe\uffff]")
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")  # read back as an escaped character
_SPACE = ("", " ")  # an empty string or a leading space takes the slow path
_R = attr_pattern("r")
_S = attr_pattern("s")
_SPANS = attr_pattern("spans")
_FORMULA_REF = attr_pattern("ref")
_CUSTOM_FORMAT = attr_pattern("customFormat")
_MIN, _MAX, _STYLE = attr_pattern("min"), attr_pattern("max"), attr_pattern("style")
_HIDDEN = attr_pattern("hidden")
_RB = re.compile(rb"""(?<![\w:.-])r\s*=\s*(["'])(.*?)\1""", re.S)
_EPOCH = {False: datetime(1899, 12, 30), True: datetime(1904, 1, 1)}


_LETTERS = [col_letter(i) for i in range(64)]


def _letter(index: int) -> str:
    return _LETTERS[index] if index < 64 else col_letter(index)


def grow_ref(ref: str, header_row: int, column: int) -> str | None:
    """`ref` one column wider when its header row is `header_row` and it ends left of `column`."""
    box = split_ref(ref)
    if box is None:
        return None
    c1, r1, c2, r2 = box
    if r1 == header_row and c2 == column - 1:
        return join_ref(c1, r1, column, r2)
    return None


def serial(value: date, date1904: bool) -> float:
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    days = (moment.replace(tzinfo=None) - _EPOCH[date1904]).total_seconds() / 86400
    return int(days) if days.is_integer() else round(days, 10)


class CellWriter:
    """Cell XML for plain values: never a formula; text as inline strings."""

    def __init__(
        self, p: str, styles: Styles, date1904: bool, strings: SharedStrings | None = None
    ) -> None:
        self.p = p
        self.styles = styles
        self.date1904 = date1904
        self.strings = strings  # the rich text of cells written over is kept

    def cell(self, ref: str, value: Any, style: int | None = None) -> str:
        p = self.p
        s = f' s="{style}"' if style else ""
        if (
            type(value) is str
            and value.isprintable()
            and value[:1] not in _SPACE
            and value[-1] not in " "
            and "_x" not in value
        ):  # the common case, quickly: nothing to clean, no xml:space needed
            if "&" in value or "<" in value or ">" in value:
                value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            return f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t>{value}</{p}t></{p}is></{p}c>'
        if value is None or value == "":
            return f'<{p}c r="{ref}"{s}/>' if style else ""
        if isinstance(value, bool):
            return f'<{p}c r="{ref}"{s} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
        shown = (
            self.styles.with_format(style or 0, PERCENT_FORMAT) if type(value) is Percent else None
        )
        if shown is not None:
            return f'<{p}c r="{ref}" s="{shown}"><{p}v>{float(value)!r}</{p}v></{p}c>'
        if isinstance(value, int | float) and math.isfinite(value):
            number = (
                repr(float(value))
                if isinstance(value, float) and not value.is_integer()
                else str(int(value))
            )
            return f'<{p}c r="{ref}"{s}><{p}v>{number}</{p}v></{p}c>'
        if isinstance(value, date):
            code = (
                DATETIME_FORMAT
                if isinstance(value, datetime) and value.time() != time()
                else DATE_FORMAT
            )
            dated = (
                style
                if style and self.styles.is_date_style(style)
                else self.styles.with_format(style or 0, code)
            )
            if dated is None:  # no usable styles part: a date shown as text rather than as a number
                from sheetcrm.values import text

                return self.cell(ref, text(value), style)
            return f'<{p}c r="{ref}" s="{dated}"><{p}v>{serial(value, self.date1904)}</{p}v></{p}c>'
        content = _ESCAPE_LIKE.sub(r"_x005F_\1", _ILLEGAL.sub("", str(value)))
        space = ' xml:space="preserve"' if content != content.strip() or "\n" in content else ""
        inline = f"<{p}is><{p}t{space}>{escape(content)}</{p}t></{p}is>"
        return f'<{p}c r="{ref}"{s} t="inlineStr">{inline}</{p}c>'


def column_styles(head: str, p: str) -> list[tuple[int, int, int]]:
    """(first, last 0-based column, style) of each <col> in `head` (the part up to its
    cells) that gives its columns a format."""
    out = []
    for tag in re.findall(rf"<{p}col\b[^>]*>", head[: head.find(f"<{p}sheetData")]):
        lo, hi, style = _MIN.search(tag), _MAX.search(tag), _STYLE.search(tag)
        if lo and hi and style and lo[2].isdigit() and hi[2].isdigit() and style[2].isdigit():
            out.append((int(lo[2]) - 1, int(hi[2]) - 1, int(style[2])))
    return out


def shown_columns(head: bytes, p: str, columns: Iterable[int]) -> bytes:
    """`head` (the part up to its cells) with each of `columns` (0-based) taken out of a
    hidden <col> range: a column added where the team hid the unused ones would be out of
    sight. The rest of the range stays hidden."""
    text = head.decode("utf-8")
    for col in columns:
        n = col + 1
        for m in re.finditer(rf"<{p}col\b[^>]*/>", text):
            lo, hi, hidden = _MIN.search(m[0]), _MAX.search(m[0]), _HIDDEN.search(m[0])
            if not (lo and hi and hidden and lo[2].isdigit() and hi[2].isdigit()):
                continue
            first, last = int(lo[2]), int(hi[2])
            if hidden[2] not in ("1", "true") or not first <= n <= last:
                continue
            shown = _HIDDEN.sub("", m[0])
            spans = [(first, n - 1, m[0]), (n, n, shown), (n + 1, last, m[0])]
            tags = "".join(
                set_attr(set_attr(t, "min", str(a)), "max", str(b)) for a, b, t in spans if a <= b
            )
            text = text[: m.start()] + tags + text[m.end() :]
            break
    return text.encode()


class SheetXml:
    """The rows and cells of one worksheet part (UTF-8 bytes), found where they are."""

    def __init__(self, xml: bytes, p: str) -> None:
        self.xml = xml
        self.p = p
        pb = re.escape(p.encode())
        self._row = re.compile(rb"<" + pb + rb"row\b([^>]*?)(/?)>")
        self._row_end_b = re.compile(rb"</" + pb + rb"row\s*>")
        self._data = re.compile(rb"<" + pb + rb"sheetData\b[^>]*?(/?)>")
        self._data_end = re.compile(rb"</" + pb + rb"sheetData\s*>")
        self._row_end = re.compile(rf"</{p}row\s*>")
        self._cell = re.compile(rf"<{p}c(?=[\s/>])([^>]*?)(?:/>|>(.*?)</{p}c\s*>)", re.S)
        data = self._data.search(xml)
        if data is None:
            raise UnsupportedContent("a worksheet without cell data (<sheetData>)")
        if data[1]:  # <sheetData/>: open it
            opened = f"<{p}sheetData></{p}sheetData>".encode()
            self.xml = xml[: data.start()] + opened + xml[data.end() :]
        self._refresh_bounds()

    def rows(self) -> Iterator[tuple[int, re.Match[bytes]]]:
        """(row number, start tag match) of each <row>, in order."""
        number = 0
        search = _RB.search
        for m in self._row.finditer(self.xml, self.data_start, self.data_end):
            r = search(m[1])
            number = int(r[2]) if r else number + 1
            yield number, m

    def row_end(self, m: re.Match[bytes]) -> int:
        if m[2]:
            return m.end()
        close = self._row_end_b.search(self.xml, m.end())
        assert close is not None
        return close.end()

    def cells(self, row: str, start: int, end: int) -> Iterator[tuple[int, re.Match[str], bool]]:
        """(0-based column, match, whether it names its reference) of each cell of a
        row's text between `start` and `end`: a cell without a reference follows the last."""
        col = -1
        for m in self._cell.finditer(row, start, end):
            r = _R.search(m[1])
            ref = _REF.match(r[2]) if r else None
            col = col_index(ref[1]) if ref else col + 1
            yield col, m, r is not None

    def _refresh_bounds(self) -> None:
        data = self._data.search(self.xml)
        end = self._data_end.search(self.xml, data.end()) if data else None
        assert data is not None and end is not None
        self.data_start, self.data_end = data.end(), end.start()


class SheetEditor(SheetXml):
    """One worksheet part (UTF-8 bytes), edited in place.

    The part stays bytes, sliced without copies; only the rows that change are
    decoded and taken apart, which keeps a 100,000-row sheet to two copies in memory.
    """

    def __init__(
        self,
        xml: bytes,
        p: str,
        writer: CellWriter,
        columns: list[tuple[int, int, int]] | None = None,
    ) -> None:
        super().__init__(xml, p)
        self.writer = writer
        self.formulas_removed = False
        if columns is None:  # else given: a window of rows has not its part's <cols>
            head = bytes(self.xml[: self.data_start]).decode("utf-8", "replace")
            columns = column_styles(head, p)
        self.columns = columns
        view = memoryview(self.xml)
        # the part as it will be written: head (to <sheetData>), the rows, tail (from </sheetData>)
        self.parts: list[bytes | memoryview] = [
            view[: self.data_start],
            view[self.data_start : self.data_end],
            view[self.data_end :],
        ]

    def finish(self) -> list[bytes | memoryview]:
        """The edited part, to store."""
        return self.parts

    def changed_rows(self, pending: list[int]) -> list[tuple[int, re.Match[bytes]]] | None:
        """The rows to change found by their start tag, skipping the others unread (the
        common case: rows in order, each with r="n" first); None when that does not apply."""
        found = []
        pos = self.data_start
        find, match = self.xml.find, self._row.match
        tag = b"<" + self.p.encode() + b'row r="'
        for number in pending:
            at = find(b'%s%d"' % (tag, number), pos, self.data_end)
            m = match(self.xml, at, self.data_end) if at >= 0 else None
            if m is None:
                return None
            found.append((number, m))
            pos = m.end()
        return found

    def edit(
        self, changes: dict[int, dict[int, Any]], headers: set[tuple[int, int]] = frozenset()
    ) -> int:
        """Set cells: row -> {0-based column: value}; `headers` take their left neighbour's style.

        Returns the highest column index now used in the changed rows.
        """
        xml = memoryview(self.xml)
        out: list[bytes | memoryview] = []
        pos = self.data_start
        pending = sorted(changes)
        i = 0
        widest = -1
        for number, m in self.changed_rows(pending) or self.rows():
            start = m.start()
            while i < len(pending) and pending[i] < number:  # rows missing from the part
                row_xml, w = self._row_xml(pending[i], "", "", True, changes[pending[i]], headers)
                out += [xml[pos:start], row_xml.encode()]
                pos, i, widest = start, i + 1, max(widest, w)
            if i < len(pending) and pending[i] == number:
                end = self.row_end(m)
                row = bytes(xml[start:end]).decode("utf-8")
                fast = None if m[2] else self._fast_row(row, number, changes[number], headers)
                row_xml, w = fast or self._row_xml(
                    number, m[1].decode("utf-8"), row, bool(m[2]), changes[number], headers
                )
                out += [xml[pos:start], row_xml.encode()]
                pos, i, widest = end, i + 1, max(widest, w)
            if i >= len(pending):
                break
        for number in pending[i:]:
            row_xml, w = self._row_xml(number, "", "", True, changes[number], headers)
            out += [xml[pos : self.data_end], row_xml.encode()]
            pos, widest = self.data_end, max(widest, w)
        out.append(xml[pos : self.data_end])
        self.parts[1:-1] = out
        if pending:
            self.cover(widest, pending[-1])
        if headers:
            self.parts[0] = shown_columns(bytes(self.parts[0]), self.p, {c for _, c in headers})
        return widest

    def _fast_row(
        self, row: str, number: int, changes: dict[int, Any], headers: set[tuple[int, int]]
    ) -> tuple[str, int] | None:
        """The common case without taking the row apart: each changed cell is found by its
        reference, or is new at the right end of the row. None when that does not apply."""
        p = self.p
        cell_start = f"<{p}c "
        widest = -1
        for col, value in sorted(changes.items()):
            if (number, col) in headers:
                return None
            ref = f"{_letter(col)}{number}"
            at = row.find(f' r="{ref}"')
            if at >= 0:
                lt = row.rfind("<", 0, at)
                if not row.startswith(cell_start, lt) or ">" in row[lt:at]:
                    return None
                close = row.find(">", at)
                if row[close - 1] == "/":
                    end = close + 1
                else:
                    end = row.find(f"</{p}c>", close)
                    if end < 0:
                        return None
                    end += len(p) + 4
                    self._check_formula(row[close + 1 : end], col, number)
                s = _S.search(row, lt, close)
                style = int(s[2]) if s and s[2].isdigit() else None
                inner = None if row[close - 1] == "/" else row[close + 1 : end - len(p) - 4]
                cell = self._written(ref, value, style, row[lt + len(p) + 2 : close], inner)
                row = row[:lt] + cell + row[end:]
            else:
                last = row.rfind(cell_start)
                if last < 0:
                    return None
                r = _R.search(row, last, row.find(">", last))
                ref_m = _REF.match(r[2]) if r else None
                if ref_m is None or col_index(ref_m[1]) >= col:
                    return None
                close = row.find(">", last)
                end = close + 1 if row[close - 1] == "/" else row.find(f"</{p}c>", close)
                if end < 0:
                    return None
                end = end if row[close - 1] == "/" else end + len(p) + 4
                style = self._new_style(row[: row.find(">")], col)
                row = row[:end] + self.writer.cell(ref, value, style) + row[end:]
            widest = max(widest, col)
        spans = _SPANS.search(row, 0, row.find(">"))
        if spans:
            tag_end = row.find(">")
            row = self._widen_spans(row[: tag_end + 1], changes, widest) + row[tag_end + 1 :]
        last = row.rfind(cell_start)
        r = _R.search(row, last, row.find(">", last)) if last >= 0 else None
        ref_m = _REF.match(r[2]) if r else None
        return row, max(widest, col_index(ref_m[1]) if ref_m else -1)

    def _written(
        self, ref: str, value: Any, style: int | None, attrs: str, inner: str | None
    ) -> str:
        """A cell written over one (its `attrs` and `inner` XML): text extending or shortening
        its rich text keeps the runs."""
        if type(value) is KeepRuns:
            rich = rich_inline(value, attrs, inner, self.p, self.writer.strings)
            if rich is not None:
                s = f' s="{style}"' if style else ""
                return f'<{self.p}c r="{ref}"{s} t="inlineStr">{rich}</{self.p}c>'
        return self.writer.cell(ref, value, style)

    def _new_style(self, row_tag: str, col: int) -> int | None:
        """The format of a cell made where none was: its row's, when the whole row was
        formatted, else its column's. Excel keeps those on the row or column, and a cell
        without a style of its own would show as plain."""
        custom = _CUSTOM_FORMAT.search(row_tag)
        s = _S.search(row_tag) if custom and custom[2] in ("1", "true") else None
        if s and s[2].isdigit():
            return int(s[2])
        return next((style for lo, hi, style in self.columns if lo <= col <= hi), None)

    def _widen_spans(self, start_tag: str, changes: dict[int, Any], widest: int) -> str:
        spans = _SPANS.search(start_tag)
        if not spans or ":" not in spans[2] or not changes:
            return start_tag
        lo, hi = (int(x) for x in spans[2].split(":")[:2])
        return set_attr(start_tag, "spans", f"{min(lo, min(changes) + 1)}:{max(hi, widest + 1)}")

    def _row_xml(
        self,
        number: int,
        attrs: str,
        row: str,
        closed: bool,
        changes: dict[int, Any],
        headers: set[tuple[int, int]],
    ) -> tuple[str, int]:
        p = self.p
        cells: list[tuple[int, str, str, str | None]] = []  # (col, xml, attrs, inner)
        content_start = content_end = 0
        if not closed:
            content_start = row.index(">") + 1
            content_end = self._row_end.search(row).start()  # type: ignore[union-attr]
            last_end = content_start
            for col, m, named in self.cells(row, content_start, content_end):
                cells.append(
                    (col, m[0] if named else self._with_ref(m[0], col, number), m[1], m[2])
                )
                last_end = m.end()
            tail = row[last_end:content_end]  # <extLst> after the cells, kept
        else:
            tail = ""
        by_col = {c[0]: c for c in cells}
        for col, value in changes.items():
            old = by_col.get(col)
            style = None
            if old is not None:
                s = _S.search(old[2])
                style = int(s[2]) if s and s[2].isdigit() else None
                self._check_formula(old[3], col, number)
            elif (number, col) in headers:
                left = [c for c in cells if c[0] < col]
                s = _S.search(left[-1][2]) if left else None
                style = int(s[2]) if s and s[2].isdigit() else None
            else:
                style = self._new_style(attrs, col)
            ref = f"{_letter(col)}{number}"
            by_col[col] = (
                col,
                self._written(ref, value, style, old[2], old[3])
                if old
                else self.writer.cell(ref, value, style),
                "",
                None,
            )
        ordered = [by_col[c][1] for c in sorted(by_col)]
        widest = max(by_col) if by_col else -1
        if closed:
            start_tag = f"<{p}row{attrs}>" if attrs else f'<{p}row r="{number}">'
        else:
            start_tag = row[:content_start]
        if not _R.search(start_tag):
            start_tag = set_attr(start_tag, "r", str(number))
        start_tag = self._widen_spans(start_tag, by_col, widest)
        return f"{start_tag}{''.join(ordered)}{tail}</{p}row>", widest

    def _with_ref(self, cell: str, col: int, row: int) -> str:
        # a cell placed by position only: name it, so inserting a cell before it cannot move it
        return f'<{self.p}c r="{col_letter(col)}{row}"' + cell[len(self.p) + 2 :]

    def _check_formula(self, inner: str | None, col: int, row: int) -> None:
        if not inner or f"<{self.p}f" not in inner:
            return
        f_tag = re.search(rf"<{self.p}f\b[^>]*>", inner)
        ref = _FORMULA_REF.search(f_tag[0]) if f_tag else None
        if ref and split_ref(ref[2]) != (col, row, col, row):
            # a formula other cells share, or an array spilling over them; an array of
            # this one cell (as Excel 365 saves most formulas) goes with the cell
            letter = col_letter(col)
            raise UnsupportedContent(
                f"cell {letter}{row} holds a formula other cells share (a shared or array "
                f"formula), which writing there would break; paste the formulas of column "
                f"{letter} as values"
            )
        self.formulas_removed = True

    def cover(self, col: int, row: int) -> None:
        """Widen <dimension> to include column `col` (0-based) and `row`."""
        head = bytes(self.parts[0]).decode("utf-8")
        m = re.search(rf"<{self.p}dimension\b[^>]*>", head)
        ref = attr_pattern("ref").search(m[0]) if m else None
        box = split_ref(ref[2]) if ref else None
        if m is None or box is None:
            return
        c1, r1, c2, r2 = box
        new = join_ref(min(c1, col), min(r1, row), max(c2, col), max(r2, row))
        self.parts[0] = (head[: m.start()] + set_attr(m[0], "ref", new) + head[m.end() :]).encode()

    def grow_autofilter(self, header_row: int, column: int) -> bool:
        """The sheet's own autofilter takes in a column added at its right edge."""
        tail = bytes(self.parts[-1]).decode("utf-8")
        m = re.compile(rf"<{self.p}autoFilter\b[^>]*>").search(tail)
        ref = attr_pattern("ref").search(m[0]) if m else None
        new = grow_ref(ref[2], header_row, column) if ref else None
        if m is None or new is None:
            return False
        self.parts[-1] = (tail[: m.start()] + set_attr(m[0], "ref", new) + tail[m.end() :]).encode()
        return True

    def append(self, rows: list[list[Any]]) -> int:
        """Rows after the last row holding a value (rows without values after it are dropped);
        that row's number."""
        last_valued, cut = 0, self.data_end
        value = re.compile(rb"<" + re.escape(self.p.encode()) + rb"(?:v|is)\b")
        for number, m in self.rows():
            if not m[2] and value.search(self.xml, m.end(), self.row_end(m)):
                last_valued, cut = number, self.data_end
            elif cut == self.data_end:
                cut = m.start()
        body = "".join(self.row(n, row) for n, row in enumerate(rows, start=last_valued + 1))
        self.parts[1:-1] = [memoryview(self.xml)[self.data_start : cut], body.encode()]
        width = max((len(r) for r in rows), default=1)
        self.cover(width - 1, last_valued + len(rows))
        return last_valued

    def row(self, number: int, values: list[Any], style: int | None = None) -> str:
        cell = self.writer.cell
        p = self.p
        s = f' s="{style}"' if style else ""
        head, tail = f'"{s} t="inlineStr"><{p}is><{p}t>', f"</{p}t></{p}is></{p}c>"
        out = []
        for c, v in enumerate(values):
            ref = f"{_LETTERS[c] if c < 64 else col_letter(c)}{number}"
            if type(v) is str and v.isprintable() and v and v[0] != " " and v[-1] != " ":
                if "_x" not in v and "&" not in v and "<" not in v and ">" not in v:
                    out.append(f'<{p}c r="{ref}{head}{v}{tail}')  # as CellWriter.cell, inline
                    continue
            elif type(v) is int:
                out.append(f'<{p}c r="{ref}"{s}><{p}v>{v}</{p}v></{p}c>')
                continue
            out.append(cell(ref, v, style))
        cells = "".join(out)
        return f'<{p}row r="{number}">{cells}</{p}row>' if cells else ""


def rendered_head(main_ns: str, rel_ns: str) -> bytes:
    """How every tab sheetcrm renders begins (another program saves a sheet otherwise)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{main_ns}" xmlns:r="{rel_ns}"><dimension ref="'
    ).encode()


def render_sheet(
    main_ns: str,
    rel_ns: str,
    rows: list[list[Any]],
    writer: CellWriter,
    bold: int | None,
    drawings: str = "",
) -> list[bytes]:
    """A new worksheet part, in pieces: bold frozen header, columns sized to their content,
    and `drawings` (<drawing>, <legacyDrawing> elements) after the cells."""
    editor = SheetEditor(b"<sheetData/>", "", writer)
    body = [  # one piece per row: no second copy of a large tab as one string
        editor.row(n, row, bold if n == 1 else None).encode() for n, row in enumerate(rows, start=1)
    ]
    width = max((len(r) for r in rows), default=1)
    dimension = join_ref(0, 1, max(width - 1, 0), max(len(rows), 1))
    widths: dict[int, int] = {}
    for row in rows[:200]:
        for c, value in enumerate(row):
            widths[c] = max(widths.get(c, 0), len(str(value)) if value is not None else 0)
    cols = "".join(
        f'<col min="{c + 1}" max="{c + 1}" width="{min(max(w + 2, 8), 60)}" customWidth="1"/>'
        for c, w in widths.items()
    )
    pane = (
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' if rows else ""
    )
    head = (
        rendered_head(main_ns, rel_ns).decode() + f'{dimension}"/>'
        f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>' + (f"<cols>{cols}</cols>" if cols else "")
    )
    return [head.encode(), b"<sheetData>", *body, f"</sheetData>{drawings}</worksheet>".encode()]
