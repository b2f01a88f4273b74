"""Real-world workbooks: sheetcrm writes into each and leaves everything else as it was.

The corpus (workbooks saved by Excel, LibreOffice and other writers) lives outside
the project: ../shared/corpus/xlsx-real-world from the project root, or the folder
named by SHEETCRM_CORPUS. Every test here skips when it is absent.

Each workbook gets, through the writer itself, a column added to its first sheet,
a Clients tab and a Log row; then `sync` runs on it as a user would run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY

from sheetcrm.backends.excel import ExcelBackend
from sheetcrm.backends.xlsxpackage import Package, rels_name
from sheetcrm.config import Config
from sheetcrm.errors import SourceError
from sheetcrm.plan import CellChange, NewColumn, Plan

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("SHEETCRM_CORPUS") or ROOT.parent / "shared/corpus/xlsx-real-world")
FILES = sorted(p.name for p in CORPUS.glob("*.xls*")) if CORPUS.is_dir() else []

# Workbooks sheetcrm cannot handle, and the reason its error must give.
EXPECTED_REFUSALS = {
    "pass_protected.xlsx": "password-protected",  # an encrypted package
    "issue252.xlsx": "cannot be read as a workbook",  # a part longer than its zip entry says
}
CLIENTS = [
    ["Client", "Manager", "Status", "Next contact"],
    ["Daisy", "Olga", "New", "01.12.2026"],
    ["=1+1", "", "In progress", "20.11.2026"],
]

pytestmark = pytest.mark.skipif(not FILES, reason=f"no workbook corpus at {CORPUS}")


def _values(path: Path) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as wb:
        return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


def _openpyxl_values(path: Path) -> dict[str, dict[str, Any]] | None:
    """Every cell value openpyxl sees, or None when openpyxl cannot open the file at all."""
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path)
    except Exception:
        return None
    out = {}
    for ws in wb.worksheets:
        # the cells the file holds; iter_rows() would fill a huge used range with empty ones
        out[ws.title] = {c.coordinate: c.value for c in ws._cells.values()}
    return out


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _may_change(path: Path, first: str) -> set[str]:
    """The parts sheetcrm must change: the edited sheet and its tables, the workbook,
    its relationships, the content types, the styles, the tab list in docProps/app.xml."""
    pkg = Package(path)
    try:
        sheet = pkg.sheet(first)
        names = {pkg.workbook, rels_name(pkg.workbook), "[Content_Types].xml"}
        names |= {r.target for r in pkg.workbook_rels.values() if r.type.endswith("/styles")}
        names |= {r.target for r in pkg.relationships("").values() if "xtended" in r.type}
        if sheet:
            names.add(sheet.part)
            names |= {
                r.target
                for r in pkg.relationships(sheet.part).values()
                if r.type.endswith("/table")
            }
        return {n.casefold() for n in names}
    finally:
        pkg.close()


def _unchanged_cells(
    before: list[list[Any]], after: list[list[Any]], owned: set[tuple[int, int]]
) -> list[str]:
    wrong = []
    for r, row in enumerate(before):
        for c, value in enumerate(row):
            got = after[r][c] if r < len(after) and c < len(after[r]) else ""
            if (r, c) not in owned and got != value:
                wrong.append(f"row {r + 1} col {c + 1}: {value!r} -> {got!r}")
    return wrong


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each workbook written into once, then synced: name -> (path, first sheet, width) or error."""
    from click.testing import CliRunner

    from sheetcrm.cli import cli

    folder = tmp_path_factory.mktemp("corpus")
    config = folder / "config.yaml"
    config.write_text("language: en\nbackups: 0\n", encoding="utf-8")
    out: dict[str, Any] = {}
    for name in FILES:
        path = folder / name
        shutil.copy(CORPUS / name, path)
        path.chmod(0o644)
        backend = ExcelBackend(path, Config(language="en", backups=0))
        try:
            names = backend.read([]).sheet_names
            first = names[0]
            snapshot = backend.read([first])
            width = max((len(r) for r in snapshot.tabs[first].rows), default=0)
            plan = Plan(
                columns=[NewColumn(first, 1, width, "Flags")],
                cells=[CellChange(first, 2, width, "flags", "", "checked by sheetcrm")],
                tabs={"Clients": CLIENTS},
                appends={"Log": (["When", "What"], [["2026-11-23 09:00", "corpus test"]])},
            )
            backend.apply(plan, snapshot)
        except SourceError as exc:
            out[name] = (path, exc)
            continue
        result = CliRunner().invoke(
            cli,
            ["--config", str(config), "sync", str(path), "--date", TODAY.isoformat()],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, f"{name}: {result.output}"
        out[name] = (path, first, width)
    return out


@pytest.mark.parametrize("name", FILES)
def test_workbook_is_written_or_clearly_refused(synced, name):
    outcome = synced[name]
    if name in EXPECTED_REFUSALS:
        path, error = outcome
        assert isinstance(error, SourceError), f"{name} was expected to be refused"
        assert EXPECTED_REFUSALS[name] in str(error) and "\n" not in str(error)
        assert path.read_bytes() == (CORPUS / name).read_bytes()  # untouched
        return
    assert len(outcome) == 3, f"{name}: {outcome[-1]}"
    clients = _values(outcome[0])["Clients"]
    assert clients[0] == [*CLIENTS[0], "ID", "Flags"]
    assert [(r[0], r[4], r[5]) for r in clients[1:]] == [
        ("Daisy", "C00001", ""),
        ("=1+1", "C00002", "overdue 3d; no manager"),
    ]


@pytest.mark.parametrize("name", [n for n in FILES if n not in EXPECTED_REFUSALS])
def test_every_other_part_is_byte_identical(synced, name):
    path, first, _ = synced[name]
    before, after = _parts(CORPUS / name), _parts(path)
    allowed = _may_change(CORPUS / name, first)
    changed = [
        n
        for n in before
        if n in after and after[n] != before[n] and n.replace("\\", "/").casefold() not in allowed
    ]
    assert changed == []
    removed = [n for n in before if n not in after]
    assert all("calcchain" in n.casefold() for n in removed), removed


@pytest.mark.parametrize("name", [n for n in FILES if n not in EXPECTED_REFUSALS])
def test_calamine_reads_every_original_value_back(synced, name):
    path, first, width = synced[name]
    before, after = _values(CORPUS / name), _values(path)
    assert list(after)[: len(before)] == list(before)  # the original tabs, in their order
    for tab, rows in before.items():
        owned = {(0, width), (1, width)} if tab == first else set()
        assert _unchanged_cells(rows, after[tab], owned) == [], tab


@pytest.mark.parametrize("name", [n for n in FILES if n not in EXPECTED_REFUSALS])
def test_openpyxl_reads_every_original_value_back(synced, name):
    path, first, width = synced[name]
    before = _openpyxl_values(CORPUS / name)
    if before is None:
        pytest.skip("openpyxl cannot open the original either")
    after = _openpyxl_values(path)
    assert after is not None
    from openpyxl.utils import get_column_letter

    owned = {f"{get_column_letter(width + 1)}{r}" for r in (1, 2)}
    for tab, cells in before.items():
        changed = {
            k: (v, after[tab].get(k)) for k, v in cells.items() if k not in owned or tab != first
        }
        assert {k: pair for k, pair in changed.items() if pair[0] != pair[1]} == {}, tab


def _soffice_csv(paths: list[Path], out: Path, profile: Path) -> set[str]:
    """Convert all files in one LibreOffice run; the names of those it could open."""
    args = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless"]
    args += ["--convert-to", "csv", "--outdir", str(out), *map(str, paths)]
    subprocess.run(args, capture_output=True, timeout=600, check=False)
    return {p.name for p in paths if (out / (p.stem + ".csv")).exists()}


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_libreoffice_opens_every_written_workbook(synced, tmp_path):
    paths = [v[0] for v in synced.values() if len(v) == 3]
    opened = _soffice_csv(paths, tmp_path / "csv", tmp_path / "profile")
    missing = [p for p in paths if p.name not in opened]
    if missing:  # fine only where LibreOffice cannot open the original either
        originals = [CORPUS / p.name for p in missing]
        opened_originals = _soffice_csv(originals, tmp_path / "orig", tmp_path / "profile")
        assert [p.name for p in missing if p.name in opened_originals] == []
