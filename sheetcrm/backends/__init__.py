"""Sources behind one small interface: read the tabs, apply a plan."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sheetcrm.errors import SourceError

if TYPE_CHECKING:
    from sheetcrm.backends.base import Backend
    from sheetcrm.config import Config

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
# the browser puts /u/1/ in the URL for a second signed-in account, /a/<domain>/ on old
# Google Workspace links
_SHEET_URL = re.compile(
    r"docs\.google\.com/(?:a/[^/]+/)?spreadsheets/(?:u/\d+/)?d/([a-zA-Z0-9-_]+)"
)
_SHEET_KEY = re.compile(r"^[a-zA-Z0-9-_]{25,}$")


# links people paste that lead to a sheet but not to its key: "Publish to web" gives
# /spreadsheets/d/e/2PACX-…/pubhtml (whose "e" read as a key got a 404), Drive gives its own
_NOT_THE_SHEET = (
    (
        re.compile(r"docs\.google\.com/spreadsheets/d/e/"),
        "the link of a sheet published to the web",
    ),
    (re.compile(r"drive\.google\.com/"), "a Google Drive link"),
)


def google_key(source: str) -> str | None:
    """The spreadsheet key in a Google Sheets URL or a bare key, else None."""
    source = source.strip()  # a key copied with the spaces around it
    for pattern, what in _NOT_THE_SHEET:
        if pattern.search(source):
            raise SourceError(
                f"{source}: {what}, not the sheet's own URL; open the sheet in Google Sheets "
                "and copy the URL from the address bar (…/spreadsheets/d/KEY/edit)"
            )
    if m := _SHEET_URL.search(source):
        return m[1]
    if _SHEET_KEY.match(source) and not Path(source).suffix:
        return source
    return None


def open_backend(source: str, cfg: Config) -> Backend:
    """The backend for SOURCE: an .xlsx/.xlsm path or a Google Sheet URL/key."""
    if not source:
        raise SourceError(
            "no source given: pass a workbook path or Google Sheet URL, "
            "or set 'source' in config.yaml"
        )
    key = google_key(source)
    if key is not None:
        from sheetcrm.backends.gsheets import GoogleSheetsBackend

        return GoogleSheetsBackend(key, cfg)
    path = Path(source).expanduser()
    suffix = path.suffix.lower()
    if suffix in (".xls", ".xlsb"):
        raise SourceError(
            f"{path}: {suffix} workbooks are not supported; "
            "save it as .xlsx in Excel or LibreOffice"
        )
    if suffix == ".ods":
        from sheetcrm.backends.excel import ExcelBackend

        return ExcelBackend(path, cfg, read_only=True)
    if suffix not in EXCEL_SUFFIXES:
        raise SourceError(f"{source}: not an .xlsx/.xlsm workbook nor a Google Sheet URL")
    from sheetcrm.backends.excel import ExcelBackend

    return ExcelBackend(path, cfg)
