"""Excel workbooks (.xlsx/.xlsm): read with python-calamine, write through openpyxl.

Writing follows the safety rules: fingerprint, lock files, backup, a
temporary file that is read back and compared cell by cell, atomic replace.
openpyxl rewrites the whole package from its own model, so a workbook
holding something it would drop is refused before anything is written.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

from sheetcrm.backends import safety
from sheetcrm.backends.base import Backend, Snapshot
from sheetcrm.config import Config
from sheetcrm.errors import SourceError, UnsupportedContent
from sheetcrm.plan import Plan
from sheetcrm.table import RawTable
from sheetcrm.values import text


def _date1904(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            part = "xl/workbook.xml" if "xl/workbook.xml" in names else None
            if part is None:
                return False
            head = z.read(part)[:4096].decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError):
        return False
    return bool(re.search(r'date1904="(1|true)"', head))


def _clean(value: Any) -> Any:
    # calamine gives durations as timedelta; they are no dates, keep them as text
    if value.__class__.__name__ == "timedelta":
        return str(value)
    return value


def read_workbook(path: Path, tab_names: list[str]) -> tuple[dict[str, RawTable], list[str]]:
    """Every named tab that exists, as raw rows from A1."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except Exception as exc:  # calamine raises its own types for every malformed file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "password" in reason.lower() or "encrypt" in reason.lower() or _is_encrypted(path):
            raise SourceError(f"{path}: the workbook is password-protected; remove the password to use it") from None
        raise SourceError(f"{path}: cannot be read as a workbook ({reason})") from None
    tabs: dict[str, RawTable] = {}
    wanted = {n.casefold() for n in tab_names}
    try:
        for name in wb.sheet_names:
            if name.casefold() in wanted and name not in tabs:
                rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
                tabs[name] = RawTable(name, [[_clean(c) for c in row] for row in rows])
    except Exception as exc:
        raise SourceError(f"{path}: cannot read a tab ({exc})") from None
    finally:
        wb.close()
    return tabs, list(wb.sheet_names)


def _is_encrypted(path: Path) -> bool:
    # An encrypted OOXML file is an OLE compound document, not a zip.
    try:
        with path.open("rb") as f:
            return f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    except OSError:
        return False


_SHAPE = re.compile(rb"<(?:\w+:)?sp[ >]")


def unsupported_parts(path: Path) -> list[str]:
    """What openpyxl would silently lose in this workbook."""
    lost = []
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        for name in names:
            if name.startswith("xl/drawings/") and name.endswith(".xml") and "/_rels/" not in name:
                if _SHAPE.search(z.read(name)):
                    lost.append("shapes or text boxes")
                    break
        if any(n.startswith("xl/media/") for n in names):
            try:
                import PIL  # noqa: F401
            except ImportError:
                lost.append("pictures (install Pillow to keep them)")
        if any(n.startswith(("xl/slicers/", "xl/slicerCaches/", "xl/timelines/", "xl/ctrlProps/")) for n in names):
            lost.append("slicers, timelines or form controls")
    return lost


def _formula_cells(wb: Any, snapshot: Snapshot) -> set[tuple[str, int, int]]:
    return {
        (name, cell.row, cell.column - 1)
        for name in snapshot.tabs
        if name in wb.sheetnames
        for row in wb[name].iter_rows()
        for cell in row
        if cell.data_type == "f"
    }


class ExcelBackend(Backend):
    def __init__(self, path: Path, cfg: Config, read_only: bool = False) -> None:
        self.path = path
        self.cfg = cfg
        self.read_only = read_only
        self.label = path.name

    def read(self, tab_names: list[str]) -> Snapshot:
        if not self.path.exists():
            raise SourceError(f"{self.path}: no such file")
        fp = safety.fingerprint(self.path)
        tabs, names = read_workbook(self.path, tab_names)
        return Snapshot(tabs, names, _date1904(self.path), fp)

    # -- writing ---------------------------------------------------------

    def apply(self, plan: Plan, snapshot: Snapshot) -> None:
        if self.read_only:
            raise SourceError(f"{self.path}: {self.path.suffix} files are read-only here; save it as .xlsx to write back")
        path = self.path
        safety.ensure_not_open(path)
        safety.ensure_unchanged(path, snapshot.fingerprint)
        wb = self._load_for_writing()
        formulas = _formula_cells(wb, snapshot)
        self._apply_to(wb, plan)
        temp = safety.temp_beside(path)
        try:
            wb.save(temp)
            self._verify(temp, plan, snapshot, formulas)
            safety.ensure_not_open(path)
            safety.ensure_unchanged(path, snapshot.fingerprint)
            safety.backup(path, self.cfg.backups)
            safety.replace(temp, path)
        except OSError as exc:
            raise SourceError(f"{path}: cannot write the new version ({exc.strerror}); the workbook is unchanged") from None
        finally:
            temp.unlink(missing_ok=True)

    def _load_for_writing(self) -> Any:
        import openpyxl

        if lost := unsupported_parts(self.path):
            raise UnsupportedContent(
                f"{self.path}: the workbook holds {', '.join(lost)}, which the writer would drop; "
                "nothing was written"
            )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                wb = openpyxl.load_workbook(
                    self.path, keep_vba=self.path.suffix.lower() == ".xlsm", rich_text=True, keep_links=True
                )
            except Exception as exc:
                raise SourceError(f"{self.path}: cannot open it for writing ({exc})") from None
        dropped = sorted({str(w.message) for w in caught if "removed" in str(w.message) or "not supported" in str(w.message)})
        if dropped:
            raise UnsupportedContent(
                f"{self.path}: the writer would drop part of this workbook ({'; '.join(dropped)}); nothing was written"
            )
        return wb

    def _apply_to(self, wb: Any, plan: Plan) -> None:
        from sheetcrm.xlsxcells import fill_sheet, put

        for col in plan.columns:
            put(wb[col.tab].cell(row=col.header_row, column=col.column + 1), col.header)
        for ch in plan.cells:
            put(wb[ch.tab].cell(row=ch.row, column=ch.column + 1), ch.new)
        for name, rows in plan.tabs.items():
            index = None
            if name in wb.sheetnames:
                index = wb.sheetnames.index(name)
                wb.remove(wb[name])
            fill_sheet(wb.create_sheet(name, index), rows)
        for name, (header, rows) in plan.appends.items():
            if name not in wb.sheetnames:
                ws = wb.create_sheet(name)
                fill_sheet(ws, [header])
            ws = wb[name]
            start = ws.max_row + 1 if any(c.value is not None for c in ws[ws.max_row]) else ws.max_row
            for r, row in enumerate(rows, start=start):
                for c, value in enumerate(row, start=1):
                    put(ws.cell(row=r, column=c), value)

    def _verify(self, temp: Path, plan: Plan, snapshot: Snapshot, formulas: set[tuple[str, int, int]]) -> None:
        """Read the new file back: every team cell as it was, every planned cell written.

        Formula cells are skipped: openpyxl keeps the formula but not its cached
        value, which Excel and LibreOffice recompute on opening.
        """
        touched = {(c.tab, c.row, c.column): c.new for c in plan.cells}
        touched.update({(c.tab, c.header_row, c.column): c.header for c in plan.columns})
        names = [n for n in snapshot.tabs if n not in plan.tabs and n not in plan.appends]
        after, _ = read_workbook(temp, names)
        for name in names:
            before_rows = snapshot.tabs[name].rows
            after_rows = after[name].rows if name in after else []
            for r in range(max(len(before_rows), len(after_rows))):
                old = before_rows[r] if r < len(before_rows) else []
                new = after_rows[r] if r < len(after_rows) else []
                for c in range(max(len(old), len(new))):
                    if (name, r + 1, c) in formulas:
                        continue
                    want = touched.get((name, r + 1, c), old[c] if c < len(old) else "")
                    got = new[c] if c < len(new) else ""
                    if text(want) != text(got):
                        raise SourceError(
                            f"{self.path}: the new version did not read back as expected "
                            f"(tab '{name}', row {r + 1}, column {c + 1}: {text(want)!r} became {text(got)!r}); "
                            "nothing was written"
                        )
