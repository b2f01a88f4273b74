"""Excel workbooks (.xlsx/.xlsm): read with python-calamine, write by editing the package.

Writing follows the safety rules: fingerprint, lock files, backup, a
temporary file that is read back and compared cell by cell, atomic replace.
The writer (xlsxedit) changes only the cells and tabs sheetcrm owns and
copies every other part of the package byte for byte.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from itertools import islice, zip_longest
from pathlib import Path
from typing import Any

from sheetcrm.backends import safety
from sheetcrm.backends.base import Backend, Snapshot
from sheetcrm.config import Config
from sheetcrm.errors import SourceError
from sheetcrm.plan import Plan
from sheetcrm.table import RawTable
from sheetcrm.values import text

_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037\ufffe\uffff]")  # not allowed in XML


def _date1904(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            part = "xl/workbook.xml" if "xl/workbook.xml" in names else None
            if part is None:
                return False
            head = z.read(part).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return False
    return bool(
        re.search(r"""<(?:[\w.-]+:)?workbookPr\b[^>]*\bdate1904\s*=\s*["'](1|true)["']""", head)
    )


def _clean(value: Any) -> Any:
    # calamine gives durations as timedelta; they are no dates, keep them as text
    if isinstance(value, timedelta):
        return str(value)
    return value


def _cleaned(row: list[Any]) -> list[Any]:
    if timedelta in map(type, row):  # rare: checked at C speed before any per-cell work
        return [_clean(c) for c in row]
    return row


def _open(path: Path) -> Any:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except Exception as exc:  # calamine raises its own types for every malformed file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "password" in reason.lower() or "encrypt" in reason.lower() or _is_encrypted(path):
            raise SourceError(
                f"{path}: the workbook is password-protected; remove the password to use it"
            ) from None
        raise SourceError(f"{path}: cannot be read as a workbook ({reason})") from None


def _rows(sheet: Any) -> Iterator[list[Any]]:
    """A sheet's rows from A1, one at a time (iter_rows starts at the first used column)."""
    pad = [""] * (sheet.start[1] if sheet.start else 0)
    for row in sheet.iter_rows():
        yield _cleaned(pad + row if pad else row)


def read_workbook(path: Path, tab_names: list[str]) -> tuple[dict[str, RawTable], list[str]]:
    """Every named tab that exists, as raw rows from A1."""
    wb = _open(path)
    tabs: dict[str, RawTable] = {}
    wanted = {n.casefold() for n in tab_names}
    try:
        for name in wb.sheet_names:
            if name.casefold() in wanted and name not in tabs:
                rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
                tabs[name] = RawTable(name, [_cleaned(row) for row in rows])
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


def _text(value: Any) -> str:
    """A planned value as it reads back: characters XML cannot hold are left out."""
    return text(_ILLEGAL.sub("", value) if isinstance(value, str) else value)


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
            raise SourceError(
                f"{self.path}: {self.path.suffix} files are read-only here; "
                "save it as .xlsx to write back"
            )
        from sheetcrm.backends.xlsxedit import write_plan

        path = self.path
        safety.ensure_not_open(path)
        safety.ensure_unchanged(path, snapshot.fingerprint)
        temp = safety.temp_beside(path)
        try:
            write_plan(path, plan, temp)
            self._verify(temp, plan, snapshot)
            safety.ensure_not_open(path)
            safety.ensure_unchanged(path, snapshot.fingerprint)
            safety.backup(path, self.cfg.backups)
            safety.replace(temp, path)
        except OSError as exc:
            raise SourceError(
                f"{path}: cannot write the new version ({exc.strerror}); the workbook is unchanged"
            ) from None
        finally:
            temp.unlink(missing_ok=True)

    def _mismatch(self, tab: str, row: int, col: int, want: Any, got: Any) -> SourceError:
        return SourceError(
            f"{self.path}: the new version did not read back as expected "
            f"(tab '{tab}', row {row}, column {col + 1}: {text(want)!r} became {text(got)!r}); "
            "nothing was written"
        )

    def _verify(self, temp: Path, plan: Plan, snapshot: Snapshot) -> None:
        """Read the new file back with python-calamine: every team cell of each tab the plan
        edits as it was, every planned cell, owned tab and Log row as planned. Tabs the plan
        does not touch are copied byte for byte and need no reading."""
        touched: dict[str, dict[tuple[int, int], Any]] = {}
        for ch in plan.cells:
            touched.setdefault(ch.tab, {})[(ch.row, ch.column)] = ch.new
        for col in plan.columns:
            touched.setdefault(col.tab, {})[(col.header_row, col.column)] = col.header
        wb = _open(temp)
        try:
            actual = {n.casefold(): n for n in wb.sheet_names}
            for name, cells in touched.items():  # large tabs: row by row, not a second copy
                before = snapshot.tabs[name].rows if name in snapshot.tabs else []
                sheet = wb.get_sheet_by_name(actual[name.casefold()])
                # rows appended below (the Log) are checked on their own further down
                upto = len(before) if name in plan.appends else None
                self._compare(name, before, _rows(sheet), cells, upto)
        except KeyError as exc:
            raise SourceError(
                f"{self.path}: the new version lacks tab {exc}; nothing was written"
            ) from None
        finally:
            wb.close()
        after, _ = read_workbook(temp, [*plan.tabs, *plan.appends])
        after = {k.casefold(): v for k, v in after.items()}
        for name, rows in plan.tabs.items():
            self._compare_rows(name, rows, after.get(name.casefold()), 0)
        for name, (_header, rows) in plan.appends.items():
            got = after.get(name.casefold())
            if got is None or len(got.rows) < len(rows):
                raise SourceError(
                    f"{self.path}: the new version lacks the rows added to tab '{name}'; "
                    "nothing was written"
                )
            self._compare_rows(name, rows, got, len(got.rows) - len(rows))

    def _compare(
        self,
        name: str,
        before: list[list[Any]],
        after: Iterator[list[Any]],
        cells: dict[tuple[int, int], Any],
        upto: int | None = None,
    ) -> None:
        by_row: dict[int, list[tuple[int, Any]]] = {}
        for (r, c), want in cells.items():
            by_row.setdefault(r - 1, []).append((c, want))
        pairs = zip_longest(before, after, fillvalue=[])
        for r, (old, new) in enumerate(pairs if upto is None else islice(pairs, upto)):
            if r in by_row:  # check the planned cells, then compare the row as if unchanged
                new = list(new)
                for c, want in by_row[r]:
                    value = new[c] if c < len(new) else ""
                    if want != value and _text(want) != text(value):
                        raise self._mismatch(name, r + 1, c, want, value)
                    if c < len(new):
                        new[c] = old[c] if c < len(old) else ""
            if new[: len(old)] == old and not any(new[len(old) :]):
                continue  # the common case, compared at C speed
            for c in range(max(len(old), len(new))):
                want = old[c] if c < len(old) else ""
                value = new[c] if c < len(new) else ""
                if text(want) != text(value):
                    raise self._mismatch(name, r + 1, c, want, value)

    def _compare_rows(
        self, name: str, rows: list[list[Any]], got: RawTable | None, offset: int
    ) -> None:
        after = got.rows if got else []
        for r, row in enumerate(rows):
            new = after[offset + r] if offset + r < len(after) else []
            if new[: len(row)] == row:
                continue
            for c, want in enumerate(row):
                value = new[c] if c < len(new) else ""
                if want != value and _text(want) != text(value):
                    raise self._mismatch(name, offset + r + 1, c, want, value)
