"""Apply a plan to an xlsx package: edit the owned cells and tabs, copy every other part."""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import defaultdict
from pathlib import Path
from typing import Any

from sheetcrm.backends.xlsxpackage import (
    Data,
    Package,
    SheetEntry,
    attr_pattern,
    decode,
    escape,
    prefix_for,
    set_attr,
)
from sheetcrm.backends.xlsxprops import APP_PROPERTIES, with_sheet_title
from sheetcrm.backends.xlsxrich import SharedStrings, planned
from sheetcrm.backends.xlsxsheet import (
    CellWriter,
    SheetEditor,
    grow_ref,
    render_sheet,
    rendered_head,
    split_ref,
)
from sheetcrm.backends.xlsxstream import SheetStream
from sheetcrm.backends.xlsxstyles import Styles
from sheetcrm.backends.xlsxtables import carries_over, fit_table, grow_down
from sheetcrm.errors import SourceError, UnsupportedContent
from sheetcrm.plan import Plan

_REF = attr_pattern("ref")
_NAME = attr_pattern("name")
_LOCAL_SHEET = attr_pattern("localSheetId")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>]")
_DRAWING = re.compile(rb"<(?:[\w.-]+:)?(drawing|legacyDrawing)\b[^>]*?\bid\s*=\s*[\"']([^\"']*)")
_TABLE_PART = re.compile(rb"<(?:[\w.-]+:)?tablePart\b[^>]*?\bid\s*=\s*[\"']([^\"']*)")


def _grown(tag: str, header_row: int, column: int) -> str:
    """A start tag whose `ref` range takes in an added column (unchanged when it cannot)."""
    ref = _REF.search(tag)
    new = grow_ref(ref[2], header_row, column) if ref else None
    return set_attr(tag, "ref", new) if new else tag


class PlanWriter:
    """Writes one plan into a copy of the package."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pkg = Package(path)
        self.styles = Styles(self.pkg)
        self.strings = SharedStrings(self.pkg)
        self.drop_calc_chain = False
        self._rendered: dict[str, tuple[list[list[Any]], Data]] = {}

    def _writer(self, p: str) -> CellWriter:
        return CellWriter(p, self.styles, self.pkg.date1904, self.strings)

    def _worksheet(self, name: str) -> SheetEntry | None:
        entry = self.pkg.sheet(name)
        if entry is not None and (entry.kind != "worksheet" or not self.pkg.has(entry.part)):
            raise UnsupportedContent(
                f"tab '{entry.name}' is not a worksheet ({entry.kind or 'no part'})"
            )
        return entry

    def _editor(self, entry: SheetEntry, stream: bool = False) -> SheetEditor | SheetStream:
        """An editor of a worksheet part: a large one is edited as it streams."""
        if stream and SheetStream.suits(self.pkg, entry.part):
            with self.pkg.open(entry.part) as f:
                p = self._prefix(entry, decode(f.read(65536), lenient=True)[0])
            return SheetStream(
                self.pkg, entry.part, p, self._writer(p), lambda: self._editor(entry)
            )
        data = self.pkg.read(entry.part)
        head, encoding = decode(data[:65536], lenient=True)
        p = self._prefix(entry, head)
        if encoding != "utf-8":  # the editor works on UTF-8 bytes; say so in the declaration
            text, _ = decode(data)
            data = re.sub(r"^(<\?xml[^>]*?encoding\s*=\s*[\"'])[\w.-]+", r"\1UTF-8", text).encode()
        return SheetEditor(data, p, self._writer(p))

    def _prefix(self, entry: SheetEntry, head: str) -> str:
        """The tag prefix of a worksheet part, from the text of its first bytes."""
        p = prefix_for(head, self.pkg.main_ns)
        if p is None:
            raise UnsupportedContent(f"tab '{entry.name}' is not a SpreadsheetML worksheet")
        return p

    def edit_cells(self, plan: Plan) -> None:
        changes: dict[str, dict[int, dict[int, Any]]] = defaultdict(lambda: defaultdict(dict))
        headers: dict[str, set[tuple[int, int]]] = defaultdict(set)
        for col in plan.columns:
            changes[col.tab][col.header_row][col.column] = col.header
            headers[col.tab].add((col.header_row, col.column))
        for ch in plan.cells:
            changes[ch.tab][ch.row][ch.column] = planned(ch)
        for tab, rows in changes.items():
            entry = self._worksheet(tab)
            if entry is None:
                raise SourceError(f"{self.path}: no tab '{tab}' to write into; nothing was written")
            editor = self._editor(entry, stream=True)
            try:
                editor.edit(rows, headers[tab])
            except UnsupportedContent as exc:  # say in which tab
                raise UnsupportedContent(f"tab '{entry.name}', {exc}") from None
            for col in sorted((c for c in plan.columns if c.tab == tab), key=lambda c: c.column):
                if editor.grow_autofilter(col.header_row, col.column):
                    self._grow_filter_name(entry, col.header_row, col.column)
                self._grow_tables(entry, col.header_row, col.column, col.header)
            self.drop_calc_chain |= editor.formulas_removed
            self.pkg.replace(entry.part, editor.finish())

    def _grow_tables(self, entry: SheetEntry, header_row: int, column: int, header: str) -> None:
        """A table whose header row ends left of an added column takes it in."""
        for part in self.pkg.table_parts(entry):
            xml, encoding = decode(self.pkg.read(part))
            p = prefix_for(xml, self.pkg.main_ns)
            root = re.search(rf"<{p}table\b[^>]*>", xml) if p is not None else None
            ref = _REF.search(root[0]) if root else None
            new = grow_ref(ref[2], header_row, column) if ref else None
            if root is None or new is None or 'headerRowCount="0"' in root[0]:
                continue
            xml = xml[: root.start()] + set_attr(root[0], "ref", new) + xml[root.end() :]
            xml = re.sub(
                rf"<{p}autoFilter\b[^>]*>", lambda m: _grown(m[0], header_row, column), xml, count=1
            )
            ids = [
                int(i) for i in re.findall(rf"<{p}tableColumn\b[^>]*?\bid\s*=\s*[\"'](\d+)", xml)
            ]
            names = {
                n.casefold()
                for n in re.findall(rf"<{p}tableColumn\b[^>]*?\bname\s*=\s*[\"']([^\"']*)", xml)
            }
            if header.casefold() in names:
                raise UnsupportedContent(
                    f"table in tab '{entry.name}' already has a column named '{header}'"
                )
            column_xml = f'<{p}tableColumn id="{max(ids, default=0) + 1}" name="{escape(header)}"/>'
            cols = re.search(rf"<{p}tableColumns\b[^>]*>", xml)
            if cols is None:
                continue
            xml = (
                xml[: cols.start()]
                + set_attr(cols[0], "count", str(len(ids) + 1))
                + xml[cols.end() :]
            )
            close = re.search(rf"</{p}tableColumns\s*>", xml)
            assert close is not None
            xml = xml[: close.start()] + column_xml + xml[close.start() :]
            self.pkg.replace(part, xml.encode(encoding))

    def _grow_down(self, entry: SheetEntry, last: int, new_last: int) -> None:
        """A table reaching the last row of the tab takes the rows added under it."""
        for part in self.pkg.table_parts(entry):
            xml, encoding = decode(self.pkg.read(part))
            p = prefix_for(xml, self.pkg.main_ns)
            grown = grow_down(xml, p, last, new_last) if p is not None else None
            if grown is not None:
                self.pkg.replace(part, grown.encode(encoding))

    def _grow_filter_name(self, entry: SheetEntry, header_row: int, column: int) -> None:
        index = str(self.pkg.sheets.index(entry))
        # its attributes in any order: LibreOffice writes localSheetId before name
        pattern = re.compile(r"(<(?:[\w.-]+:)?definedName\b[^>]*>)([^<]*)(<)")

        def grow(m: re.Match[str]) -> str:
            name, local = _NAME.search(m[1]), _LOCAL_SHEET.search(m[1])
            if (name and name[2], local and local[2]) != ("_xlnm._FilterDatabase", index):
                return m[0]
            sheet, _, ref = m[2].rpartition("!")
            new = grow_ref(ref.replace("$", ""), header_row, column)
            if not sheet or new is None or split_ref(new) is None:
                return m[0]
            absolute = ":".join(
                re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in new.split(":")
            )
            return f"{m[1]}{sheet}!{absolute}{m[3]}"

        self.pkg.edit_text(self.pkg.workbook, lambda x: pattern.sub(grow, x))

    def render_tab(self, name: str, rows: list[list[Any]]) -> Data:
        """An owned tab's worksheet part, rendered once per list of rows."""
        cached = self._rendered.get(name)
        if cached is not None and cached[0] is rows:
            return cached[1]
        bold = self.styles.bold()
        data = render_sheet(
            self.pkg.main_ns, self.pkg.rel_ns, rows, self._writer(""), bold, self._kept(name)
        )
        self._rendered[name] = (rows, data)
        return data

    def _kept(self, name: str) -> str:
        """What someone put on an owned tab that outlives its cells written anew: a drawing
        (a chart, pictures, shapes), notes, and a table (see xlsxtables): the parts they
        live in are kept, a table's fitted to the new cells when the tab is written."""
        entry = self.pkg.sheet(name)
        if entry is None or entry.kind != "worksheet" or not self.pkg.has(entry.part):
            return ""
        kinds = {r.type.rsplit("/", 1)[-1] for r in self.pkg.relationships(entry.part).values()}
        if not kinds & {"drawing", "vmlDrawing", "table"}:
            return ""
        xml = self.pkg.read(entry.part)
        after = max(xml.rfind(b"sheetData>"), 0)  # they follow the cells
        kept = "".join(
            f'<{m[1].decode()} r:id="{m[2].decode()}"/>' for m in _DRAWING.finditer(xml, after)
        )
        tables = self._tables(entry, xml[after:])
        if tables:
            parts = "".join(f'<tablePart r:id="{rid}"/>' for rid in tables)
            kept += f'<tableParts count="{len(tables)}">{parts}</tableParts>'
        return kept

    def _tables(self, entry: SheetEntry, tail: bytes | None = None) -> dict[str, str]:
        """The tab's tables (in `tail`, the end of its part) that can follow it when it is
        written anew: relationship ID -> part. Any other table is left out of the new tab
        (its part stays, unused)."""
        rels = self.pkg.relationships(entry.part)
        if not any(r.type.endswith("/table") for r in rels.values()):
            return {}
        if tail is None:
            xml = self.pkg.read(entry.part)
            tail = xml[max(xml.rfind(b"sheetData>"), 0) :]
        out = {}
        for rid in (m[1].decode() for m in _TABLE_PART.finditer(tail)):
            rel = rels.get(rid)
            if rel is None or rel.external or not self.pkg.has(rel.target):
                continue
            xml, _ = decode(self.pkg.read(rel.target))
            p = prefix_for(xml, self.pkg.main_ns)
            if p is not None and carries_over(xml, p):
                out[rid] = rel.target
        return out

    def _fit_tables(self, entry: SheetEntry, rows: list[list[Any]]) -> None:
        for part in self._tables(entry).values():
            xml, encoding = decode(self.pkg.read(part))
            p = prefix_for(xml, self.pkg.main_ns) or ""
            fitted = fit_table(xml, p, rows[0] if rows else [], len(rows))
            self.pkg.replace(part, fitted.encode(encoding))

    def tab_differs(self, name: str, rows: list[list[Any]]) -> bool | None:
        """Whether the tab's part holds other bytes than `rows` rendered: cheaper than
        reading the tab back. None when the bytes cannot tell: the part differs but was
        saved by another program since (Excel writes the same cells otherwise), so only
        reading it can. A rendering that differs is the one written: it starts being
        compressed at once, and only the compressed bytes are kept."""
        data = self.render_tab(name, rows)
        entry = self.pkg.sheet(name)
        if entry is None or entry.kind != "worksheet" or not self.pkg.has(entry.part):
            verdict: bool | None = True
        elif isinstance(data, list) and self.pkg.holds(entry.part, data):
            return False
        else:
            verdict = True if self.rendered_here(name) else None
        self._rendered[name] = (rows, self.pkg.deflate_soon(data))
        return verdict

    def rendered_here(self, name: str) -> bool:
        """Whether the tab is absent or sheetcrm rendered its part (and nobody saved it since)."""
        entry = self.pkg.sheet(name)
        if entry is None:
            return True
        if entry.kind != "worksheet" or not self.pkg.has(entry.part):
            return False
        head = rendered_head(self.pkg.main_ns, self.pkg.rel_ns)
        with self.pkg.open(entry.part) as f:
            return f.read(len(head)) == head

    def write_tabs(self, plan: Plan) -> None:
        writer = self._writer("")
        for name, rows in plan.tabs.items():
            data = self.render_tab(name, rows)
            self._rendered.pop(name)  # the package holds it from here (compressing)
            entry = self._worksheet(name)
            if entry is None:
                self._add_sheet(name, data)
                continue
            if self.pkg.contains(entry.part, _FORMULA):
                self.drop_calc_chain = True
            self._fit_tables(entry, rows)
            self.pkg.replace(entry.part, data)
        for name, (header, rows) in plan.appends.items():
            entry = self._worksheet(name)
            if entry is None:
                self._add_sheet(
                    name,
                    render_sheet(
                        self.pkg.main_ns,
                        self.pkg.rel_ns,
                        [header, *rows],
                        writer,
                        self.styles.bold(),
                    ),
                )
                continue
            editor = self._editor(entry, stream=True)
            last = editor.append(rows)
            self.pkg.replace(entry.part, editor.finish())
            self._grow_down(entry, last, last + len(rows))

    def _add_sheet(self, name: str, data: Data) -> None:
        """A new tab, named in workbook.xml and, where it lists the tabs, docProps/app.xml."""
        worksheets = [s.name for s in self.pkg.sheets if s.kind == "worksheet"]
        self.pkg.add_sheet(name, data)
        for rel in self.pkg.relationships("").values():
            kind = rel.type.rsplit("/", 1)[-1]
            if kind in APP_PROPERTIES and not rel.external and self.pkg.has(rel.target):
                xml, encoding = decode(self.pkg.read(rel.target))
                new = with_sheet_title(xml, worksheets, name)
                if new is not None:
                    self.pkg.replace(rel.target, new.encode(encoding))

    def close(self) -> None:
        self.pkg.close()

    def write(self, plan: Plan, target: Path) -> None:
        try:
            self.edit_cells(plan)
            self.write_tabs(plan)
            if self.drop_calc_chain:
                self.pkg.drop_calc_chain()
            self.pkg.recalc_on_load()
            self.styles.store()
            self.pkg.write(target)
        except UnsupportedContent as exc:
            if str(exc).startswith(str(self.path)):
                raise
            raise UnsupportedContent(f"{self.path}: {exc}; nothing was written") from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise SourceError(
                f"{self.path}: the package is damaged ({exc}); nothing was written"
            ) from None
        finally:
            self.pkg.close()


def write_plan(path: Path, plan: Plan, target: Path, writer: PlanWriter | None = None) -> None:
    """Write `path` with `plan` applied to `target` (with `writer` when one is open on it)."""
    (writer or PlanWriter(path)).write(plan, target)
