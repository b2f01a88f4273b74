"""Shared fixtures: workbooks built from a few lines of Python, and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sheetcrm.cli import cli

TODAY = date(2026, 11, 23)  # a Monday

EN_HEADERS = [
    "ID",
    "Client",
    "Phone",
    "Email",
    "Manager",
    "Status",
    "Next contact",
    "Last contact",
    "Created",
    "Refusal reason",
    "City",
    "Product",
    "Source",
    "Amount",
    "Comment",
]
EN_MANAGERS = [
    ["Name", "Email", "Active", "Cities", "Products"],
    ["Olga", "olga@example.com", "yes", "Moscow", ""],
    ["Ivan", "ivan@example.com", "yes", "Kazan", ""],
    ["Petr", "petr@example.com", "no", "", ""],
]


def client_row(headers: Sequence[str] = EN_HEADERS, **fields: Any) -> list[Any]:
    """A row in `headers` order from keyword arguments named like the headers
    in lower case with underscores (next_contact="23.11.2026")."""
    keys = [h.lower().replace(" ", "_") for h in headers]
    unknown = set(fields) - set(keys)
    assert not unknown, f"no such column: {unknown}"
    return [fields.get(k, "") for k in keys]


def write_book(path: Path, tabs: dict[str, list[list[Any]]]) -> Path:
    """An .xlsx with the given tabs, each a list of rows (first row = header)."""
    from openpyxl import Workbook

    from sheetcrm.xlsxcells import put

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in tabs.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    put(ws.cell(row=r, column=c), value)
    wb.save(path)
    return path


@pytest.fixture
def book(tmp_path: Path) -> Callable[..., Path]:
    """book(rows, managers=EN_MANAGERS, name="crm.xlsx", headers=EN_HEADERS, extra=None)

    rows are dicts of client fields (see client_row) or ready lists.
    """

    def make(
        rows: Sequence[dict[str, Any] | list[Any]],
        managers: list[list[Any]] | None = EN_MANAGERS,
        name: str = "crm.xlsx",
        headers: Sequence[str] = EN_HEADERS,
        extra: dict[str, list[list[Any]]] | None = None,
        clients_tab: str = "Clients",
    ) -> Path:
        body = [r if isinstance(r, list) else client_row(headers, **r) for r in rows]
        tabs: dict[str, list[list[Any]]] = {clients_tab: [list(headers), *body]}
        if managers is not None:
            tabs["Managers"] = managers
        tabs.update(extra or {})
        return write_book(tmp_path / name, tabs)

    return make


@pytest.fixture
def en_config(tmp_path: Path) -> Path:
    """A config.yaml for English labels; pass as --config."""
    path = tmp_path / "config.yaml"
    path.write_text("language: en\ntimezone: Europe/Moscow\n", encoding="utf-8")
    return path


@pytest.fixture
def run(en_config: Path) -> Callable[..., Result]:
    """run("today", str(path), "--date", "2026-11-23") with the English config."""

    def invoke(*args: str, config: Path | None = en_config, input: str | None = None) -> Result:
        prefix = ["--config", str(config)] if config else []
        return CliRunner().invoke(cli, [*prefix, *args], input=input, catch_exceptions=False)

    return invoke


def read_tab(path: Path, tab: str) -> list[list[Any]]:
    """A tab as python-calamine reads it (what a user sees in the cells)."""
    from sheetcrm.backends.excel import read_workbook

    tabs, _ = read_workbook(path, [tab])
    return tabs[tab].rows


def formula_over(path, cell: str, formula: str, shows: str) -> None:
    """A formula typed into `cell` of the first tab, with the value Excel shows for it."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        data = {n: z.read(n) for n in z.namelist()}
    part = "xl/worksheets/sheet1.xml"
    xml = data[part].decode()
    new = f'<c r="{cell}" t="str"><f>{formula}</f><v>{shows}</v></c>'
    xml, n = re.subn(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)', new, xml, count=1)
    assert n == 1
    data[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in data.items():
            z.writestr(name, content)
