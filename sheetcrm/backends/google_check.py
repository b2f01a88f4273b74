"""`auth check`: which service account sheetcrm signs in with, and whether it can open a sheet."""

from __future__ import annotations

from dataclasses import dataclass, field

from sheetcrm.backends.google_auth import KeyFile, load_service_account
from sheetcrm.config import Config


@dataclass
class AuthReport:
    key_file: KeyFile
    email: str
    title: str = ""  # the sheet's title when one was checked
    key: str = ""
    tabs: list[str] = field(default_factory=list)


def check_access(cfg: Config, key: str | None) -> AuthReport:
    """Sign in (a token from Google) and, given a sheet key, open the sheet's metadata.

    Raises the same one-line errors a sync would: key file, revoked key,
    network, not shared (naming the account's e-mail), no such sheet.
    """
    from google.auth.transport.requests import Request

    from sheetcrm.backends.gsheets import GoogleSheetsBackend

    account = load_service_account(cfg)
    backend = GoogleSheetsBackend(key or "", cfg, account=account)
    http = backend.http
    backend._call("sign in", account.credentials.refresh, Request(http.session))
    report = AuthReport(account.key_file, account.email)
    if key:
        info = backend.tabs_info()
        report.key = key
        report.title = backend.title
        report.tabs = sorted(info, key=lambda n: info[n].index)
    return report
