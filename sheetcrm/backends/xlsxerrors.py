"""Cells that show a formula error (#N/A, #REF!, #DIV/0!…) in an .xlsx/.xlsm package.

python-calamine reads them as empty cells, so a VLOOKUP that found nothing would
read as a client with no manager. The worksheet's XML marks them (t="e"), and
they read as their text instead, the way Google Sheets gives them.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from html import unescape
from pathlib import Path

from sheetcrm.backends.xlsxpackage import Package, decode, prefix_for
from sheetcrm.backends.xlsxsheet import SheetXml
from sheetcrm.errors import SheetCrmError

ErrorCells = dict[tuple[int, int], str]  # (0-based row, column) -> "#N/A"

_CHUNK = 1 << 20
_TYPE_E = re.compile(r"""(?<![\w:.-])t\s*=\s*["']e["']""")


def error_cells(path: Path, names: list[str]) -> dict[str, ErrorCells]:
    """The error cells of each named tab that has any."""
    try:
        pkg = Package(path)
    except SheetCrmError:  # not a package (.ods): calamine read what there is
        return {}
    out = {}
    try:
        for name in names:
            entry = pkg.sheet(name)
            if entry and entry.kind == "worksheet" and pkg.has(entry.part):
                if _may_hold_errors(pkg, entry.part):
                    if cells := _errors(pkg.read(entry.part), pkg.main_ns):
                        out[name] = cells
    except (SheetCrmError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        pass  # calamine has read the tabs: they keep what it read
    finally:
        pkg.close()
    return out


def _may_hold_errors(pkg: Package, part: str) -> bool:
    """Whether the part holds "e" in quotes anywhere: a sheet without has no error cells,
    and this is all the reading most sheets need (streamed, at the speed of unzipping)."""
    tail = b""
    with pkg.open(part) as f:
        while block := f.read(_CHUNK):
            window = tail + block
            if b'"e"' in window or b"'e'" in window:
                return True
            tail = block[-2:]
    return False


def _errors(data: bytes, namespace: str) -> ErrorCells:
    head, encoding = decode(data[:65536], lenient=True)
    xml = data if encoding == "utf-8" else decode(data)[0].encode()
    p = prefix_for(head, namespace)
    if p is None:
        return {}
    sheet = SheetXml(xml, p)
    value = re.compile(rf"<{p}v\b[^>]*>(.*?)</{p}v\s*>", re.S)
    out: ErrorCells = {}
    for number, m in sheet.rows():
        end = sheet.row_end(m)
        if m[2] or not (xml.find(b'"e"', m.end(), end) >= 0 or xml.find(b"'e'", m.end(), end) >= 0):
            continue
        row = xml[m.start() : end].decode("utf-8")
        for col, cell, _ in sheet.cells(row, 0, len(row)):
            if cell[2] is not None and _TYPE_E.search(cell[1]) and (v := value.search(cell[2])):
                out[(number - 1, col)] = unescape(v[1]).strip()
    return out
