"""A large worksheet edited as it streams: inflated, edited and compressed a window at a time.

The Clients sheet of a 100,000-client workbook is about 90 MB of XML. The
whole-part editor (SheetEditor) would hold all of it; here only a window of
a few MB of rows is held at a time, and each edited window is compressed on
the package's worker thread while the next one is read. The rows of a
window are edited by SheetEditor itself, so both ways write the same bytes.

Only the common layout streams: UTF-8, rows in order, each with its number
(r="n"). Anything else makes `edit` start over with the whole-part editor.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

from sheetcrm.backends.xlsxpackage import Data, DeflateStream, Package
from sheetcrm.backends.xlsxsheet import CellWriter, SheetEditor, column_styles, shown_columns

WINDOW = 4 << 20  # bytes of the part inflated at a time
STREAM_FROM = 8 << 20  # parts at least this large (uncompressed) are streamed


_OTHER_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["'](?!utf-?8["'])""", re.I)


class NotStreamable(Exception):
    """The part's layout needs the whole-part editor."""


class SheetStream:
    """Edits one worksheet part of `package` window by window (see the module doc)."""

    def __init__(
        self,
        package: Package,
        part: str,
        p: str,
        writer: CellWriter,
        whole: Callable[[], SheetEditor],
    ) -> None:
        self.package = package
        self._whole_editor = whole  # the whole-part editor, the part made UTF-8 for it
        self.part = part
        self.p = p
        self.writer = writer
        self.formulas_removed = False
        self.head = self.tail = b""
        self._out: DeflateStream | None = None
        self._whole: SheetEditor | None = None  # the fallback, when the layout needs it
        self._columns: list[tuple[int, int, int]] | None = None
        pb = re.escape(p.encode())
        self._data = re.compile(rb"<" + pb + rb"sheetData\b[^>]*?(/?)>")
        self._data_end = re.compile(rb"</" + pb + rb"sheetData\s*>")
        self._row_close = b"</" + p.encode() + b"row"
        self._row_end = re.compile(rb"</" + pb + rb"row\s*>")
        self._row = re.compile(rb"<" + pb + rb"row\b([^>]*?)(/?)>")
        self._value = re.compile(rb"<" + pb + rb"(?:v|is)\b")
        self._number = re.compile(rb"""^\s*r\s*=\s*["'](\d+)["']""")

    @staticmethod
    def suits(package: Package, part: str) -> bool:
        """Large, deflated parts are streamed; small ones are edited whole."""
        info = package.info(part)
        return (
            info is not None
            and info.file_size >= STREAM_FROM
            and info.compress_type == zipfile.ZIP_DEFLATED
        )

    # -- the interface of SheetEditor that PlanWriter uses -------------------

    def edit(
        self, changes: dict[int, dict[int, Any]], headers: set[tuple[int, int]] = frozenset()
    ) -> None:
        try:
            self._stream(changes, headers)
        except NotStreamable:
            self._out = None
            self.formulas_removed = False
            self._whole = self._whole_editor()
            self._whole.edit(changes, headers)

    def append(self, rows: list[list[Any]]) -> int:
        """As SheetEditor.append, in two passes: one finds the last row holding a value,
        the other copies up to there and adds the rows."""
        try:
            return self._append(rows)
        except NotStreamable:
            self._out = None
            self._whole = self._whole_editor()
            return self._whole.append(rows)

    def grow_autofilter(self, header_row: int, column: int) -> bool:
        if self._whole is not None:
            return self._whole.grow_autofilter(header_row, column)
        editor = SheetEditor(b"<%ssheetData>" % self.p.encode() + self.tail, self.p, self.writer)
        grown = editor.grow_autofilter(header_row, column)
        self.tail = bytes(editor.parts[-1])
        return grown

    def finish(self) -> Data:
        """The edited part, to store (once: the tail goes out and the stream closes)."""
        if self._whole is not None:
            return self._whole.finish()
        assert self._out is not None
        out, self._out = self._out, None
        out.feed(self.tail)
        return out.close()

    # -- streaming -----------------------------------------------------------

    def _windows(self) -> Iterator[bytes]:
        with self.package.open(self.part) as f:
            while chunk := f.read(WINDOW):
                yield chunk

    def _body(self) -> Iterator[bytes]:
        """The rows of <sheetData>, a window of whole rows at a time. Sets `head` (the
        part up to and with <sheetData>) before the first and `tail` after the last."""
        chunks = self._windows()
        buf = b""
        for chunk in chunks:
            buf += chunk
            opened = self._data.search(buf)
            if opened and opened.end() < len(buf):
                break
        else:
            raise NotStreamable
        if opened[1] or not buf.startswith(b"<") or _OTHER_ENCODING.match(buf):
            raise NotStreamable  # <sheetData/>, a byte order mark, not UTF-8
        self.head, buf = buf[: opened.end()], buf[opened.end() :]
        while (closed := self._data_end.search(buf)) is None:
            nxt = next(chunks, None)
            if nxt is None:
                raise NotStreamable  # the part ends without </sheetData>
            cut = self._after_last_row(buf)
            if cut > 0:
                yield buf[:cut]
                buf = buf[cut:]
            buf += nxt
        yield buf[: closed.start()]
        self.tail = buf[closed.start() :] + b"".join(chunks)

    def _stream(self, changes: dict[int, dict[int, Any]], headers: set[tuple[int, int]]) -> None:
        pending = sorted(changes)
        out = self._out = self.package.deflate_stream()
        windows = self._body()
        window = next(windows)
        head = self.head
        if pending:
            head = self._cover(head, max(max(c) for c in changes.values()), pending[-1])
        out.feed(shown_columns(head, self.p, {c for _, c in headers}) if headers else head)
        widest = -1
        for following in windows:
            last = self._last_row(window)
            split = next((k for k, n in enumerate(pending) if n > last), len(pending))
            edited, w = self._edited(window, pending[:split], changes, headers)
            out.feed(edited)
            window, pending, widest = following, pending[split:], max(widest, w)
        edited, w = self._edited(window, pending, changes, headers)  # and rows added below
        out.feed(edited)
        last_row = max(changes, default=0)
        if changes and self._cover(self.head, max(widest, w), last_row) != head:
            # the changed rows hold cells right of <dimension>, which was wrong already:
            # the head written first cannot say so, the whole-part editor can
            raise NotStreamable

    def _append(self, rows: list[list[Any]]) -> int:
        last_valued, cut = self._last_valued()
        out = self._out = self.package.deflate_stream()
        offset, started = 0, False
        for window in self._body():
            if not started:  # the head is known once the first window is read
                width = max((len(r) for r in rows), default=1)
                out.feed(self._cover(self.head, width - 1, last_valued + len(rows)))
                started = True
            end = offset + len(window)
            out.feed(window if cut is None or end <= cut else window[: max(cut - offset, 0)])
            offset = end
        editor = SheetEditor(b"<sheetData/>", self.p, self.writer)
        numbered = enumerate(rows, start=last_valued + 1)
        out.feed("".join(editor.row(n, row) for n, row in numbered).encode())
        return last_valued

    def _after_last_row(self, buf: bytes) -> int:
        """Where the last complete </row> in `buf` ends (0 when there is none)."""
        at = buf.rfind(self._row_close)
        while at >= 0:
            end = self._row_end.match(buf, at)
            if end is not None:
                return end.end()
            at = buf.rfind(self._row_close, 0, at)  # cut inside the tag, or </rowX>
        return 0

    def _last_valued(self) -> tuple[int, int | None]:
        """(the last row holding a value, where the rows without one after it start in
        the body, None when there are none)."""
        last_valued, cut, offset = 0, None, 0
        for window in self._body():
            for m in self._row.finditer(window):
                number = self._number.match(m[1])
                if number is None:
                    raise NotStreamable
                if m[2]:
                    valued = False
                else:
                    end = self._row_end.search(window, m.end())
                    if end is None:
                        raise NotStreamable
                    valued = self._value.search(window, m.end(), end.start()) is not None
                if valued:
                    last_valued, cut = int(number[1]), None
                elif cut is None:
                    cut = offset + m.start()
            offset += len(window)
        return last_valued, cut

    def _last_row(self, window: bytes) -> int:
        at = window.rfind(b"<" + self.p.encode() + b"row")
        m = self._row.match(window, at) if at >= 0 else None
        number = self._number.match(m[1]) if m else None
        if number is None:
            raise NotStreamable  # a row without its number: only counting from the top tells
        return int(number[1])

    def _edited(
        self,
        window: bytes,
        rows: list[int],
        changes: dict[int, dict[int, Any]],
        headers: set[tuple[int, int]],
    ) -> tuple[bytes, int]:
        """The window with `rows` edited, and the highest column used in those rows."""
        if not rows:
            return window, -1
        p = self.p.encode()
        if self._columns is None:  # the formats of whole columns, from the part's head
            self._columns = column_styles(self.head.decode("utf-8", "replace"), self.p)
        window = b"<%ssheetData>%s</%ssheetData>" % (p, window, p)
        editor = SheetEditor(window, self.p, self.writer, self._columns)
        if editor.changed_rows(rows) is None:
            raise NotStreamable  # rows out of order, missing, or without r="n" first
        widest = editor.edit({n: changes[n] for n in rows}, headers)
        self.formulas_removed |= editor.formulas_removed
        return b"".join(editor.parts[1:-1]), widest

    def _cover(self, head: bytes, col: int, row: int) -> bytes:
        """The head with <dimension> taking in the cells written."""
        p = self.p.encode()
        editor = SheetEditor(head + b"</%ssheetData>" % p, self.p, self.writer)
        editor.cover(col, row)
        return bytes(editor.parts[0])
