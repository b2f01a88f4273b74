"""Cells merged over several client rows: `check` names them, and nothing is written
into them (an ID hidden under a merge would show another client's)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EN_HEADERS, EN_MANAGERS, TODAY, client_row, write_book
from openpyxl import load_workbook

DAY = ["--date", TODAY.isoformat()]
COL = {h: chr(65 + i) for i, h in enumerate(EN_HEADERS)}


def merged_book(tmp_path: Path, *ranges: str, **first: str) -> Path:
    rows = [
        client_row(id="C00001", client="Alfa", manager="Olga", status="New", **first),
        client_row(id="C00002", client="Beta", manager="Olga", status="New"),
        client_row(id="C00003", client="Gamma", manager="Ivan", status="New"),
        client_row(client="Delta", manager="Ivan", status="New", phone="89123456789"),
    ]
    for row in rows:
        row[EN_HEADERS.index("Next contact")] = "24.11.2026"
    path = write_book(
        tmp_path / "crm.xlsx", {"Clients": [EN_HEADERS, *rows], "Managers": EN_MANAGERS}
    )
    wb = load_workbook(path)
    for ref in ranges:
        wb["Clients"].merge_cells(ref)
    wb.save(path)
    return path


def test_check_names_cells_merged_over_client_rows(tmp_path, run):
    path = merged_book(tmp_path, f"{COL['Client']}2:{COL['Client']}3")
    result = run("check", str(path), "--format", "json", *DAY)
    assert result.exit_code == 1
    found = [
        (f["row"], f["column"], f["problem"], f["expected"])
        for f in json.loads(result.stdout)
        if "merged" in f["problem"]
    ]
    assert found == [
        (
            3,
            "Client",
            "cells B2:B3 are merged: the value shows on row 2 only",
            "unmerge the cells and fill in each row",
        ),
    ]


def test_no_id_is_written_under_merged_cells(tmp_path, run):
    path = merged_book(tmp_path, "A4:A5")  # Gamma's ID cell covers Delta's, which has none
    before = path.read_bytes()
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: crm.xlsx: tab 'Clients': cells A4:A5 are merged over several rows, and row 5 "
        "needs its own ID there; unmerge them. Nothing was written.\n"
    )
    assert path.read_bytes() == before


def test_merged_cells_sheetcrm_does_not_write_let_a_sync_through(tmp_path, run):
    comment = COL["Comment"]
    path = merged_book(tmp_path, f"{comment}2:{comment}3", comment="call at ten")
    result = run("sync", str(path), *DAY)
    assert result.exit_code == 0, result.output
    ranges = load_workbook(path)["Clients"].merged_cells.ranges
    assert [r.coord for r in ranges] == [f"{comment}2:{comment}3"]
