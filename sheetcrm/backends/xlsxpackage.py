"""The xlsx package (a zip of XML parts): find parts, edit a few, copy the rest unchanged.

Small XML parts are parsed with ElementTree to learn their structure but
edited as text, by inserting or replacing a few characters: re-serialising
would rename namespace prefixes, which breaks `mc:Ignorable` and friends.
"""

from __future__ import annotations

import codecs
import posixpath
import re
import shutil
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from sheetcrm.errors import SourceError, UnsupportedContent

PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_RELS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CALC_CHAIN = "calcChain"
DEFLATED = zipfile.ZIP_DEFLATED
LEVEL = 3  # deflate level of rewritten parts: twice as fast as the default 6, ~15% larger

_ROOT = re.compile(r"<(?![?!])([^\s/>]+)([^>]*)>")
_DECL_ENCODING = re.compile(rb"^<\?xml[^>]*encoding\s*=\s*[\"']([\w.-]+)[\"']")


def attr_pattern(name: str) -> re.Pattern[str]:
    """An attribute `name="..."` (either quote), not matching `x:name` or `othername`."""
    return re.compile(r"(?<![\w:.-])" + re.escape(name) + r"""\s*=\s*(["'])(.*?)\1""", re.S)


def escape(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def decode(data: bytes, lenient: bool = False) -> tuple[str, str]:
    """The text of an XML part and its encoding (UTF-8 unless declared or marked).

    `lenient` ignores bytes that do not decode (for the head of a part, cut anywhere)."""
    errors = "ignore" if lenient else "strict"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors), "utf-16"
    m = _DECL_ENCODING.match(data)
    encoding = m[1].decode().lower() if m else "utf-8"
    try:
        encoding = codecs.lookup(encoding).name
        return data.decode(encoding, errors), encoding
    except (LookupError, UnicodeDecodeError):
        raise UnsupportedContent(
            f"a part of the workbook is not in a readable encoding ({encoding})"
        ) from None


def prefix_for(xml: str, namespace: str) -> str | None:
    """The tag prefix ('' or 'x:') bound to `namespace` on the root element, else None."""
    m = _ROOT.search(xml)
    if not m:
        return None
    for p, uri in re.findall(r"""xmlns(?::([\w.-]+))?\s*=\s*["']([^"']*)["']""", m[2]):
        if uri == namespace:
            return f"{p}:" if p else ""
    return None


def insert_child(xml: str, parent: str, child: Callable[[str], str]) -> str:
    """Insert `child(prefix)` as the last child of the last element named `parent`."""
    closes = list(re.finditer(r"</((?:[\w.-]+:)?)" + parent + r"\s*>", xml))
    if closes:
        close = closes[-1]
        return xml[: close.start()] + child(close[1]) + xml[close.start() :]
    empties = list(re.finditer(r"<((?:[\w.-]+:)?)" + parent + r"(\s[^>]*?)?/>", xml))
    if not empties:
        raise UnsupportedContent(f"no <{parent}> element where one was expected")
    empty = empties[-1]
    p = empty[1]
    opened = f"<{p}{parent}{empty[2] or ''}>{child(p)}</{p}{parent}>"
    return xml[: empty.start()] + opened + xml[empty.end() :]


def set_attr(tag: str, name: str, value: str) -> str:
    """A start tag with attribute `name` set (added when missing)."""
    pattern = attr_pattern(name)
    if pattern.search(tag):
        return pattern.sub(lambda m: f'{name}="{value}"', tag, count=1)
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:end]} {name}="{value}"{tag[end:]}'


@dataclass
class Relationship:
    id: str
    type: str
    target: str  # the part name inside the zip, resolved
    external: bool = False


@dataclass
class SheetEntry:
    name: str
    sheet_id: int
    rel_id: str
    part: str  # "" when the relationship is missing
    kind: str  # last segment of the relationship type: worksheet, chartsheet, ...


@dataclass
class Deflating:
    """A large part being compressed on a second thread: its pieces are let go as soon as
    that is done, not kept until the package is written."""

    job: Future[tuple[int, int, list[bytes]]]  # (CRC, size, raw deflate blocks)

    def content(self) -> bytes:
        return zlib.decompress(b"".join(self.job.result()[2]), -15)


Data = bytes | list[bytes | memoryview] | Deflating  # a part's content, whole or in pieces


def _chunks(data: Data) -> list[bytes | memoryview]:
    if isinstance(data, Deflating):
        return [data.content()]
    return data if isinstance(data, list) else [data]


def _joined(data: Data) -> bytes:
    if isinstance(data, Deflating):
        return data.content()
    return b"".join(data) if isinstance(data, list) else data


def _blocks(data: Data) -> Iterator[bytes | bytearray | memoryview]:
    """A part's pieces joined into blocks of about 1 MB: zlib is slow on many small ones."""
    buf = bytearray()
    for chunk in _chunks(data):
        if len(chunk) >= 1 << 20:
            if buf:
                yield buf
                buf = bytearray()
            yield chunk
            continue
        buf += chunk
        if len(buf) >= 1 << 20:
            yield buf
            buf = bytearray()
    if buf:
        yield buf


def _deflate(data: Data) -> tuple[int, int, list[bytes]]:
    """(CRC, size, raw deflate blocks) of a part, as zipfile would store it."""
    co = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    crc = size = 0
    out = []
    for block in _blocks(data):
        crc = zlib.crc32(block, crc)
        size += len(block)
        out.append(co.compress(block))
    out.append(co.flush())
    return crc, size, out


class DeflateStream:
    """A part compressed as it is produced: each block fed is compressed on the package's
    worker thread (in order: it has one) while the next is made; at most a few blocks
    wait, so a part of any size takes little memory."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool
        self._co = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        self._crc = self._size = 0
        self._out: list[bytes] = []
        self._waiting: deque[Future[None]] = deque()

    def _compress(self, block: bytes) -> None:
        self._out.append(self._co.compress(block))
        self._crc = zlib.crc32(block, self._crc)
        self._size += len(block)

    def _flush(self) -> tuple[int, int, list[bytes]]:
        self._out.append(self._co.flush())
        return self._crc, self._size, self._out

    def feed(self, block: bytes) -> None:
        if block:
            self._waiting.append(self._pool.submit(self._compress, block))
        while len(self._waiting) > 3:
            self._waiting.popleft().result()

    def close(self) -> Deflating:
        while self._waiting:  # a block that failed to compress fails here, not silently
            self._waiting.popleft().result()
        return Deflating(self._pool.submit(self._flush))


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A new entry with the name, time, attributes and compression method of `info`."""
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type = info.compress_type
    copy.external_attr = info.external_attr
    copy.create_system = info.create_system
    copy.comment = info.comment
    copy.flag_bits = info.flag_bits & 0x800  # keep only "the name is UTF-8"
    return copy


def _key(part: str) -> str:
    """Part names are case-insensitive; some writers put backslashes in them."""
    return part.replace("\\", "/").casefold()


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


class Package:
    """A workbook package opened for reading; edits are collected, then `write` copies it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise SourceError(f"{path}: not a readable .xlsx package ({exc})") from None
        self.infos = self.zip.infolist()
        self._names = {_key(i.filename): i.filename for i in self.infos}
        self.replaced: dict[str, Data] = {}
        self.added: dict[str, Data] = {}
        self.removed: set[str] = set()
        # large rewritten parts compressed on a second thread while the next is built
        self._pool: ThreadPoolExecutor | None = None
        self.workbook = self._office_document()
        wb_xml = self.text(self.workbook)
        root = self._parse(self.workbook, wb_xml)
        ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        if ns not in (MAIN, STRICT_MAIN):
            raise UnsupportedContent(
                f"{path}: the workbook part is not SpreadsheetML ({ns or 'no namespace'})"
            )
        self.strict = ns == STRICT_MAIN
        self.main_ns = ns
        self.rel_ns = STRICT_RELS if self.strict else RELS
        self.date1904 = any(
            (e.get("date1904") or "").lower() in ("1", "true")
            for e in root.iter(f"{{{ns}}}workbookPr")
        )
        self.workbook_rels = self.relationships(self.workbook)
        self.sheets: list[SheetEntry] = []
        for e in root.iter(f"{{{ns}}}sheet"):
            rid = e.get(f"{{{self.rel_ns}}}id") or e.get(f"{{{RELS}}}id") or ""
            rel = self.workbook_rels.get(rid)
            part = rel.target if rel and not rel.external else ""
            kind = rel.type.rsplit("/", 1)[-1] if rel else ""
            self.sheets.append(
                SheetEntry(e.get("name", ""), int(e.get("sheetId", "0") or 0), rid, part, kind)
            )

    # -- reading ---------------------------------------------------------

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        self.zip.close()

    def has(self, part: str) -> bool:
        key = _key(part)
        return key in self._names and self._names[key] not in self.removed

    def read(self, part: str) -> bytes:
        actual = self._names.get(_key(part), part)
        if actual in self.replaced:
            return _joined(self.replaced[actual])
        if part in self.added:
            return _joined(self.added[part])
        try:
            return self._read_member(self._names[_key(part)])
        except KeyError:
            raise UnsupportedContent(f"{self.path}: the package has no part {part}") from None
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:  # RuntimeError: encrypted member
            raise SourceError(f"{self.path}: cannot read part {part} ({exc})") from None

    def info(self, part: str) -> zipfile.ZipInfo | None:
        """The zip entry of a part as stored (None for one edited, added or missing)."""
        name = self._names.get(_key(part), part)
        if name in self.replaced or part in self.added:
            return None
        return self.zip.NameToInfo.get(name)

    def open(self, part: str) -> IO[bytes]:
        """A stored part, to read in pieces."""
        info = self.info(part)
        if info is None:
            raise UnsupportedContent(f"{self.path}: the package has no part {part}")
        return self.zip.open(info)

    def deflate_stream(self) -> DeflateStream:
        return DeflateStream(self._worker())

    def _worker(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1)
        return self._pool

    def holds(self, part: str, pieces: list[bytes]) -> bool:
        """Whether a stored part's content is exactly `pieces` joined: its size and CRC
        are in the zip directory, so a part that differs is told without inflating it."""
        info = self.info(part)
        if info is None:
            return False
        if info.file_size != sum(map(len, pieces)):
            return False
        crc = 0
        for piece in pieces:
            crc = zlib.crc32(piece, crc)
        if crc != info.CRC:
            return False
        with self.zip.open(info) as f:
            return all(f.read(len(piece)) == piece for piece in pieces)

    def contains(self, part: str, pattern: re.Pattern[bytes]) -> bool:
        """Whether `pattern` (a match of a few dozen bytes at most) occurs in `part`, read
        1 MB at a time rather than whole."""
        info = self.info(part)
        if info is None:  # edited, added or missing: read as it now stands
            return pattern.search(self.read(part)) is not None
        tail = b""
        try:
            with self.zip.open(info) as f:
                while chunk := f.read(1 << 20):
                    if pattern.search(tail + chunk):
                        return True
                    tail = chunk[-256:]
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise SourceError(f"{self.path}: cannot read part {part} ({exc})") from None
        return False

    def text(self, part: str) -> str:
        return decode(self.read(part))[0]

    def _parse(self, part: str, xml: str) -> ElementTree.Element:
        try:
            return ElementTree.fromstring(xml)
        except ElementTree.ParseError as exc:
            raise SourceError(f"{self.path}: part {part} is not well-formed XML ({exc})") from None

    def _read_member(self, name: str) -> bytes:
        """A member's bytes; a large one read in pieces into one buffer, not copied again."""
        info = self.zip.getinfo(name)
        if info.file_size < 1 << 23:
            return self.zip.read(info)
        buf = bytearray(info.file_size)
        pos = 0
        with self.zip.open(info) as f:
            while chunk := f.read(1 << 20):
                buf[pos : pos + len(chunk)] = chunk
                pos += len(chunk)
        return buf  # type: ignore[return-value]  # bytes-like; used as bytes

    def _office_document(self) -> str:
        for rel in self.relationships("").values():
            if rel.type.endswith("/officeDocument") and not rel.external:
                return rel.target
        raise SourceError(f"{self.path}: not a workbook package (no office document relationship)")

    def relationships(self, part: str) -> dict[str, Relationship]:
        """The relationships of `part` ('' for the package) by Id."""
        name = rels_name(part) if part else "_rels/.rels"
        if not self.has(name):
            return {}
        root = self._parse(name, self.text(name))
        base = posixpath.dirname(part)
        out = {}
        for e in root.iter(f"{{{PKG_RELS}}}Relationship"):
            target = e.get("Target", "")
            external = e.get("TargetMode", "") == "External"
            if not external:
                target = target.split("#")[0]
                joined = target[1:] if target.startswith("/") else posixpath.join(base, target)
                target = posixpath.normpath(joined)
            out[e.get("Id", "")] = Relationship(
                e.get("Id", ""), e.get("Type", ""), target, external
            )
        return out

    def sheet(self, name: str) -> SheetEntry | None:
        folded = name.casefold()
        return next((s for s in self.sheets if s.name.casefold() == folded), None)

    def table_parts(self, entry: SheetEntry | None) -> list[str]:
        """The parts of a worksheet's tables (ListObjects)."""
        rels = self.relationships(entry.part).values() if entry and entry.part else []
        return [
            r.target
            for r in rels
            if r.type.endswith("/table") and not r.external and self.has(r.target)
        ]

    def rel_type(self, kind: str) -> str:
        return f"{self.rel_ns}/{kind}"

    # -- editing ---------------------------------------------------------

    def replace(self, part: str, data: Data) -> None:
        if part in self.added:
            self.added[part] = self.deflate_soon(data)
        else:
            name = self._names.get(_key(part), part)
            stored = (
                name in self.zip.NameToInfo and self.zip.getinfo(name).compress_type != DEFLATED
            )
            self.replaced[name] = data if stored else self.deflate_soon(data)

    def deflate_soon(self, data: Data) -> Data:
        """A large part starts being compressed on a second thread (zlib releases the GIL
        while it works) as the next one is built; `write` stores the result as it is."""
        if not isinstance(data, list):
            return data
        chunks = list(data)
        size = sum(len(c) for c in chunks)
        if not 1 << 20 <= size < 1 << 31:
            return data
        return Deflating(self._worker().submit(_deflate, chunks))

    def edit_text(self, part: str, change: Callable[[str], str]) -> None:
        xml, encoding = decode(self.read(part))
        self.replace(part, change(xml).encode(encoding))

    def free_name(self, pattern: str) -> str:
        n = 1
        while self.has(pattern.format(n)) or pattern.format(n) in self.added:
            n += 1
        return pattern.format(n)

    def add_relationship(self, source: str, kind: str, target: str) -> str:
        """A new relationship from `source` to the part `target`; its Id."""
        existing = self.relationships(source)
        n = len(existing) + 1
        while f"rId{n}" in existing:
            n += 1
        rid = f"rId{n}"
        rel_target = posixpath.relpath(target, posixpath.dirname(source) or ".")
        entry = (
            f'<Relationship Id="{rid}" Type="{self.rel_type(kind)}" Target="{escape(rel_target)}"/>'
        )
        name = rels_name(source)
        if self.has(name) or name in self.added:
            self.edit_text(
                name,
                lambda x: insert_child(x, "Relationships", lambda p: entry.replace("<R", f"<{p}R")),
            )
        else:
            head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            self.added[name] = (
                f'{head}<Relationships xmlns="{PKG_RELS}">{entry}</Relationships>'.encode()
            )
        return rid

    def add_override(self, part: str, content_type: str) -> None:
        entry = f'<Override PartName="/{escape(part)}" ContentType="{content_type}"/>'
        self.edit_text(
            "[Content_Types].xml",
            lambda x: insert_child(x, "Types", lambda p: entry.replace("<O", f"<{p}O")),
        )

    def add_sheet(self, name: str, data: Data) -> SheetEntry:
        """A new worksheet part, named last in workbook.xml, its relationship and content type."""
        folder = posixpath.dirname(self.workbook)
        part = self.free_name(posixpath.join(folder, "worksheets", "sheet{}.xml"))
        self.added[part] = self.deflate_soon(data)
        rid = self.add_relationship(self.workbook, "worksheet", part)
        self.add_override(part, WORKSHEET_TYPE)
        sheet_id = max((s.sheet_id for s in self.sheets), default=0) + 1

        def entry(p: str) -> str:
            wb_xml = self.text(self.workbook)
            rp = prefix_for(wb_xml, self.rel_ns)
            declare = "" if rp else f' xmlns:r="{self.rel_ns}"'
            rp = rp or "r:"
            return f'<{p}sheet name="{escape(name)}" sheetId="{sheet_id}"{declare} {rp}id="{rid}"/>'

        self.edit_text(self.workbook, lambda x: insert_child(x, "sheets", entry))
        sheet = SheetEntry(name, sheet_id, rid, part, "worksheet")
        self.sheets.append(sheet)
        return sheet

    def drop_calc_chain(self) -> None:
        """Remove the calculation chain: it names formula cells, and Excel rebuilds it."""
        for rid, rel in self.workbook_rels.items():
            if rel.type.endswith("/" + CALC_CHAIN) and self.has(rel.target):
                self.removed.add(self._names[_key(rel.target)])
                rels = rels_name(self.workbook)
                pattern = re.compile(
                    r"<(?:[\w.-]+:)?Relationship\b[^>]*?\bId\s*=\s*[\"']"
                    + re.escape(rid)
                    + r"[\"'][^>]*>"
                )
                self.edit_text(rels, lambda x, pt=pattern: pt.sub("", x, count=1))
                target = re.escape("/" + rel.target)
                override = re.compile(
                    r"<(?:[\w.-]+:)?Override\b[^>]*?PartName\s*=\s*[\"']" + target + r"[\"'][^>]*>",
                    re.I,
                )
                self.edit_text("[Content_Types].xml", lambda x, o=override: o.sub("", x, count=1))

    def recalc_on_load(self) -> None:
        """Have Excel recalculate the formulas when it opens the workbook: it shows the
        results they were saved with, and those of the team's formulas over cells written
        here (a VLOOKUP of a client's manager) would be out of date."""

        def change(xml: str) -> str:
            calc = re.search(r"<(?:[\w.-]+:)?calcPr\b[^>]*>", xml)
            if calc:
                return (
                    xml[: calc.start()]
                    + set_attr(calc[0], "fullCalcOnLoad", "1")
                    + xml[calc.end() :]
                )
            # calcPr follows these in a workbook part, in this order
            names = r"(?:[\w.-]+:)?(?:sheets|functionGroups|externalReferences|definedNames)"
            ends = list(re.finditer(rf"</{names}\s*>|<{names}\b[^>]*/>", xml))
            if not ends:
                return xml
            p = prefix_for(xml, self.main_ns) or ""
            at = ends[-1].end()
            return xml[:at] + f'<{p}calcPr fullCalcOnLoad="1"/>' + xml[at:]

        self.edit_text(self.workbook, change)

    # -- writing ---------------------------------------------------------

    def _write_part(self, out: zipfile.ZipFile, info: zipfile.ZipInfo, data: Data) -> None:
        if isinstance(data, Deflating) and info.compress_type == DEFLATED:
            crc, size, blocks = data.job.result()
            info.flag_bits &= 0x800
            self._put_raw(out, info, crc, size, sum(len(b) for b in blocks), blocks)
            return
        info._compresslevel = LEVEL  # type: ignore[attr-defined]  # as writestr(compresslevel=)
        with out.open(info, "w") as dst:
            for block in _blocks(data):
                dst.write(block)

    def _copy_raw(self, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
        """Copy a part's compressed bytes as they are: no inflating and deflating again.

        zipfile has no public call for this; it uses the same steps as ZipFile.open(..., "w").
        """
        if info.flag_bits & 0x1 or max(info.file_size, info.compress_size) >= 0xFFFFFFFF:
            with (
                self.zip.open(info) as src,
                out.open(_copy_info(info), "w", force_zip64=True) as dst,
            ):
                shutil.copyfileobj(src, dst, 1 << 20)
            return
        src = self.zip.fp
        assert src is not None and out.fp is not None
        src.seek(info.header_offset)
        header = src.read(30)
        if header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header of {info.filename}")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        src.seek(info.header_offset + 30 + name_len + extra_len)
        copy = _copy_info(info)
        copy.flag_bits = info.flag_bits & ~0x08  # sizes go in the header, no data descriptor

        def blocks() -> Iterable[bytes]:
            left = info.compress_size
            while left:
                chunk = src.read(min(left, 1 << 20))
                if not chunk:
                    raise zipfile.BadZipFile(f"{info.filename} is cut short")
                yield chunk
                left -= len(chunk)

        self._put_raw(out, copy, info.CRC, info.file_size, info.compress_size, blocks())

    @staticmethod
    def _put_raw(
        out: zipfile.ZipFile,
        copy: zipfile.ZipInfo,
        crc: int,
        file_size: int,
        compress_size: int,
        blocks: Iterable[bytes],
    ) -> None:
        """An entry whose compressed bytes are at hand, with its sizes in the local header."""
        assert out.fp is not None
        copy.CRC, copy.compress_size, copy.file_size = crc, compress_size, file_size
        out.fp.seek(out.start_dir)
        copy.header_offset = out.fp.tell()
        out.fp.write(copy.FileHeader(False))
        for block in blocks:
            out.fp.write(block)
        out.start_dir = out.fp.tell()
        out.filelist.append(copy)
        out.NameToInfo[copy.filename] = copy
        out._didModify = True

    def write(self, target: Path) -> None:
        """Every part to `target`: edited ones anew, the others copied unchanged (same method)."""
        with zipfile.ZipFile(target, "w", allowZip64=True) as out:
            for info in self.infos:
                if info.filename in self.removed:
                    continue
                if info.filename in self.replaced:
                    self._write_part(out, _copy_info(info), self.replaced[info.filename])
                    continue
                self._copy_raw(info, out)
            backslashes = "\\" in self._names.get(_key(self.workbook), "")
            for name, data in self.added.items():
                zip_name = name.replace("/", "\\") if backslashes else name  # as the package does
                info = zipfile.ZipInfo(zip_name, (1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                self._write_part(out, info, data)
