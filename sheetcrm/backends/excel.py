"""Excel workbooks (.xlsx/.xlsm): read with python-calamine, write by editing the package.

Writing follows the safety rules: fingerprint, lock files, backup, a
temporary file that is read back and compared cell by cell, atomic replace.
The writer (xlsxedit) changes only the cells and tabs sheetcrm owns and
copies every other part of the package byte for byte.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from functools import partial
from itertools import chain, islice
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetcrm.backends import safety
from sheetcrm.backends.base import Backend, Snapshot, carries_header, find_tab, rows_differ
from sheetcrm.backends.xlsxextras import ErrorCells, tab_extras
from sheetcrm.changelog import placed
from sheetcrm.config import Config
from sheetcrm.errors import SheetCrmError, SourceError
from sheetcrm.memory import release_freed_memory
from sheetcrm.plan import CellChange, Plan
from sheetcrm.table import RawTable
from sheetcrm.values import text

if TYPE_CHECKING:
    from sheetcrm.backends.xlsxedit import PlanWriter

_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037\ufffe\uffff]")  # not allowed in XML
_BATCH = 4096  # rows read back and compared at a time
_NOT_IN_TAB_NAMES = re.compile(r"[\\/?*:\[\]]")  # Excel repairs a workbook with a tab so named


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
        if path.is_file() and path.stat().st_size == 0:
            raise SourceError(f"{path}: the file is empty (0 bytes), not a workbook") from None
        raise SourceError(f"{path}: cannot be read as a workbook ({reason})") from None


def _rows(sheet: Any) -> Iterator[list[Any]]:
    """A sheet's rows from A1, one at a time (iter_rows starts at the first used column)."""
    pad = [""] * (sheet.start[1] if sheet.start else 0)
    for row in sheet.iter_rows():
        yield _cleaned(pad + row if pad else row)


def _merged(sheet: Any) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges (none where the format keeps none, like .ods here)."""
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:  # calamine reads merges of xlsx/xls only
        return []
    return [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges]


def read_workbook(path: Path, tab_names: list[str]) -> tuple[dict[str, RawTable], list[str]]:
    """Every named tab that exists, as raw rows from A1."""
    wb = _open(path)
    tabs: dict[str, RawTable] = {}
    wanted = {n.casefold() for n in tab_names}
    names = [n for n in wb.sheet_names if n.casefold() in wanted]
    # what calamine does not tell is looked for on a second thread while it parses,
    # which leaves the GIL free: on a large tab, unzipping its part again costs no time
    pool = ThreadPoolExecutor(1)
    extras = pool.submit(tab_extras, path, names)
    try:
        for name in names:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            tabs[name] = RawTable(name, [_cleaned(row) for row in rows], _merged(sheet))
    except Exception as exc:
        raise SourceError(f"{path}: cannot read a tab ({exc})") from None
    finally:
        wb.close()
        pool.shutdown()
    for name, extra in extras.result().items():
        tabs[name].errors, tabs[name].footers = extra.errors, extra.footers
        tabs[name].rows = list(_with_errors(iter(tabs[name].rows), extra.errors))
    return tabs, list(wb.sheet_names)


def _with_errors(rows: Iterator[list[Any]], cells: ErrorCells) -> Iterator[list[Any]]:
    """The rows with the error cells holding their text ("#N/A") instead of ''."""
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (r, c), value in cells.items():
        by_row.setdefault(r, []).append((c, value))
    for r, row in enumerate(rows):
        for c, value in by_row.get(r, ()):
            row = row + [""] * (c + 1 - len(row)) if c >= len(row) else row
            row[c] = value
        yield row


def _sheet(path: Path, name: str) -> Any:
    """One tab of the workbook at `path` (None when it has no such tab), parsed."""
    wb = _open(path)
    try:
        actual = {n.casefold(): n for n in wb.sheet_names}
        if name.casefold() not in actual:
            return None
        return wb.get_sheet_by_name(actual[name.casefold()])
    except Exception as exc:
        raise SourceError(f"{path}: cannot read a tab ({exc})") from None
    finally:
        wb.close()


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
    reads_owned_tabs = False  # tab_differs compares the parts' bytes instead

    def __init__(self, path: Path, cfg: Config, read_only: bool = False) -> None:
        self.path = path
        self.cfg = cfg
        self.read_only = read_only
        self.label = path.name
        self._writer: PlanWriter | None = None  # open from the first tab compared to apply
        self._tabs: dict[str, RawTable | None] = {}  # owned tabs read while planning

    def writing(self) -> AbstractContextManager[None]:
        return nullcontext() if self.read_only else safety.one_writer(self.path, str(self.path))

    def close(self) -> None:
        self._tabs.clear()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def tab_name_problem(self, name: str) -> str:
        if len(name) > 31:
            return f"{len(name)} characters, more than the 31 a tab name holds"
        if bad := _NOT_IN_TAB_NAMES.search(name):
            return f"it holds {bad[0]!r}, which no tab name may"
        if name.startswith("'") or name.endswith("'"):
            return "it begins or ends with an apostrophe, which no tab name may"
        return ""

    def tab_differs(self, snapshot: Snapshot, name: str, rows: list[list[Any]]) -> bool:
        if self.read_only:
            return True
        try:
            verdict = self._planning_writer().tab_differs(name, rows)
            if verdict is None:  # saved by another program since: compare the text
                return rows_differ(self._read_tab(name), rows)
            return verdict
        except (SheetCrmError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
            return True  # applying says what is wrong with the workbook

    def tab_is_ours(self, snapshot: Snapshot, name: str, header: list[Any]) -> bool:
        if self.read_only:
            return True  # applying refuses the file
        try:
            if self._planning_writer().rendered_here(name):  # no need to read it
                return True
            read = snapshot.tabs.get(find_tab(snapshot.tabs, name) or "")
            return carries_header(read or self._read_tab(name), header)
        except (SheetCrmError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
            return True  # applying says what is wrong with the workbook

    def formulas(self, tab: str, cells: Collection[tuple[int, int]]) -> dict[tuple[int, int], str]:
        from sheetcrm.backends.xlsxextras import formula_cells

        return {} if self.read_only else formula_cells(self.path, tab, cells)

    def _planning_writer(self) -> PlanWriter:
        """The package opened for planning, kept open for applying."""
        from sheetcrm.backends.xlsxedit import PlanWriter

        if self._writer is None:
            self._writer = PlanWriter(self.path)
        return self._writer

    def _read_tab(self, name: str) -> RawTable | None:
        """One tab as read, kept for the next question about it in this sync."""
        if name not in self._tabs:
            tabs, _ = read_workbook(self.path, [name])
            self._tabs[name] = next(iter(tabs.values()), None)
        return self._tabs[name]

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

        writer, self._writer = self._writer, None  # the one planning opened is closed here
        try:
            path = safety.write_target(self.path)
            safety.ensure_not_open(self.path, path)
            safety.ensure_unchanged(path, snapshot.fingerprint)
        except BaseException:
            if writer is not None:
                writer.close()
            raise
        for name in plan.tabs:  # what was read of a tab replaced whole is stale from now on:
            snapshot.tabs.pop(name, None)  # let it go (tens of MB at 100,000 clients)
        for name, (header, rows) in plan.appends.items():
            actual = find_tab(snapshot.sheet_names, name)
            log = (snapshot.tabs.get(actual) or self._read_tab(actual)) if actual else None
            if log is not None and log.rows:  # under the Log's columns as the team left them
                plan.appends[name] = (header, placed(log.rows[0], rows))
        temp = safety.temp_beside(path)
        try:
            write_plan(path, plan, temp, writer)
            self._verify(temp, plan, snapshot)
            safety.ensure_not_open(self.path, path)
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
        does not touch are copied byte for byte and need no reading.

        Each tab is checked on its own, the owned tabs on a second thread while the
        edited ones are checked here (calamine parses without holding the GIL). Rows are
        streamed and compared a batch at a time, so no second copy of them is held."""
        # the planned cells by tab, in the order the writer applies them (the last of two
        # for one cell counts): added headers, then cells
        touched: dict[str, list[CellChange]] = {}
        for col in plan.columns:
            header = CellChange(col.tab, col.header_row, col.column, "", "", col.header)
            touched.setdefault(col.tab, []).append(header)
        for ch in plan.cells:
            touched.setdefault(ch.tab, []).append(ch)
        edited = [
            partial(self._verify_edited, temp, plan, snapshot, n, c) for n, c in touched.items()
        ]
        tabs = [partial(self._verify_tab, temp, n, rows) for n, rows in plan.tabs.items()]
        appended = [
            partial(self._verify_appended, temp, n, rows) for n, (_, rows) in plan.appends.items()
        ]
        # The edited tabs (the Clients: the largest) are read here, where the memory their
        # first reading freed can be used again, and the owned tabs meanwhile on a second
        # thread; the Log, which grows with every sync, after them rather than beside.
        with ThreadPoolExecutor(1) as pool:
            meanwhile = [pool.submit(check) for check in tabs]
            meanwhile.append(pool.submit(release_freed_memory))  # what they used, before the
            for check in edited:  # read of the Clients grows to its peak
                check()
            for done in meanwhile:
                done.result()
        for check in appended:
            check()

    def _verify_edited(
        self,
        temp: Path,
        plan: Plan,
        snapshot: Snapshot,
        name: str,
        cells: list[CellChange],
    ) -> None:
        sheet = _sheet(temp, name)
        if sheet is None:
            raise SourceError(
                f"{self.path}: the new version lacks tab '{name}'; nothing was written"
            )
        read = snapshot.tabs.get(name)
        before = read.rows if read else []
        after = _rows(sheet)
        if read and read.errors:  # read as the first reading was
            extra = tab_extras(temp, [name]).get(name)
            after = _with_errors(after, extra.errors if extra else {})
        # rows appended below (the Log) are checked on their own
        upto = len(before) if name in plan.appends else None
        self._compare(name, before, after, cells, upto)

    def _verify_tab(self, temp: Path, name: str, rows: list[list[Any]]) -> None:
        sheet = _sheet(temp, name)
        self._compare_rows(name, rows, _rows(sheet) if sheet is not None else iter(()), 0)

    def _verify_appended(self, temp: Path, name: str, rows: list[list[Any]]) -> None:
        """The rows added are the last ones, right below a row holding a value (the last
        one there was, or the header of a new tab): rows above them were not lost."""
        sheet = _sheet(temp, name)
        total = sheet.end[0] + 1 if sheet is not None and sheet.end else 0
        start = total - len(rows)
        if sheet is None or start < 1:
            raise SourceError(
                f"{self.path}: the new version lacks the rows added to tab '{name}' "
                "or the rows above them; nothing was written"
            )
        after = islice(_rows(sheet), start - 1, None)
        if not any(text(c) for c in next(after, [])):
            raise SourceError(
                f"{self.path}: the new version of tab '{name}' has a blank row {start} above "
                "the rows added; nothing was written"
            )
        self._compare_rows(name, rows, after, start)

    def _compare(
        self,
        name: str,
        before: list[list[Any]],
        after: Iterator[list[Any]],
        cells: list[CellChange],
        upto: int | None = None,
    ) -> None:
        """Each row of `after` equals `before`, but for the planned `cells`, which hold
        their planned values. Batches of rows are compared at C speed; a batch that
        differs is compared row by row, then cell by cell."""
        planned = sorted(cells, key=attrgetter("row"))  # stable: the last plan for a cell counts
        p, count = 0, len(planned)
        start = 0
        limit = len(before) if upto is None else upto
        while True:
            size = _BATCH if upto is None else min(_BATCH, upto - start)
            new = list(islice(after, size)) if size > 0 else []
            if not new and start >= limit:
                break
            old = before[start : start + size]
            end = start + len(new)
            while p < count and planned[p].row <= end:  # planned cells, then as unchanged
                r = planned[p].row - 1
                wanted: dict[int, Any] = {}
                while p < count and planned[p].row == r + 1:
                    wanted[planned[p].column] = planned[p].new
                    p += 1
                row = new[r - start]
                was = old[r - start] if r - start < len(old) else []
                for c, want in wanted.items():
                    value = row[c] if c < len(row) else ""
                    if want != value and _text(want) != text(value):
                        raise self._mismatch(name, r + 1, c, want, value)
                    if c < len(row):
                        row[c] = was[c] if c < len(was) else ""
            if not _same(old, new):
                for r in range(max(len(old), len(new))):
                    self._compare_row(
                        name,
                        start + r,
                        old[r] if r < len(old) else [],
                        new[r] if r < len(new) else [],
                    )
            start += size
            if upto is not None and start >= upto:
                return
        for ch in planned[p:]:  # planned in rows the new version does not have
            if _text(ch.new) != "":
                raise self._mismatch(name, ch.row, ch.column, ch.new, "")

    def _compare_row(self, name: str, r: int, old: list[Any], new: list[Any]) -> None:
        if new[: len(old)] == old and not any(new[len(old) :]):
            return
        new = _cleaned(new)
        for c in range(max(len(old), len(new))):
            want = old[c] if c < len(old) else ""
            value = new[c] if c < len(new) else ""
            if text(want) != text(value):
                raise self._mismatch(name, r + 1, c, want, value)

    def _compare_rows(
        self, name: str, rows: list[list[Any]], after: Iterator[list[Any]], offset: int
    ) -> None:
        """`after` (the rows from row `offset` + 1 on) hold `rows`."""
        for r, row in enumerate(rows):
            new = next(after, [])
            if new[: len(row)] == row:
                continue
            new = _cleaned(new)
            for c, want in enumerate(row):
                value = new[c] if c < len(new) else ""
                if want != value and _text(want) != text(value):
                    raise self._mismatch(name, offset + r + 1, c, want, value)


def _same(old: list[list[Any]], new: list[list[Any]]) -> bool:
    """Rows equal at C speed; new rows may be wider when their extra cells are empty."""
    if old == new:
        return True
    if len(old) != len(new) or not old:
        return False
    width = len(old[0])
    if any(len(row) != width for row in old):
        return False
    return [row[:width] for row in new] == old and set(
        chain.from_iterable(row[width:] for row in new)
    ) <= {""}
