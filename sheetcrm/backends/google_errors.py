"""One-line messages for what can go wrong between sheetcrm and Google."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sheetcrm.errors import ConfigError, SheetCrmError, SourceError

if TYPE_CHECKING:
    from sheetcrm.backends.gsheets import GoogleSheetsBackend


class QuotaExceeded(SourceError):
    """Google kept answering 429 within the retry bound."""


def _share_hint(email: str) -> str:
    return f"open it in Google Sheets, Share, add {email} as Editor"


def explain(
    exc: BaseException, backend: GoogleSheetsBackend, what: str, writing: bool
) -> SheetCrmError | None:
    """The SheetCrmError for an exception from gspread, google-auth or requests (else None)."""
    import requests
    from google.auth import exceptions as auth_errors
    from gspread.exceptions import APIError

    from sheetcrm.backends.google_http import RetriesExhausted

    where = backend.label
    email = backend.account_email
    nothing = " Nothing was written." if writing else ""
    if isinstance(exc, RetriesExhausted):
        tries = f"after {exc.attempts} attempts in {exc.seconds:.0f} s"
        if exc.status is None:
            return SourceError(
                f"{where}: Google did not answer in time ({exc.attempts} attempts in "
                f"{exc.seconds:.0f} s); {what} failed. Try again later.{nothing}"
            )
        if exc.status == 429:
            return QuotaExceeded(
                f"{where}: Google's Sheets API quota is used up (HTTP 429 {tries}); "
                f"wait a minute and run the command again.{nothing}"
            )
        return SourceError(
            f"{where}: Google Sheets did not answer properly (HTTP {exc.status} {tries}); "
            f"try again later.{nothing}"
        )
    if isinstance(exc, APIError):
        status = exc.response.status_code
        message = str(exc.error.get("message", "")).strip()
        if status == 403 and writing:
            return SourceError(
                f"{where}: {email} may read the sheet but not edit it: {_share_hint(email)} "
                f"(not Viewer).{nothing}"
            )
        if status == 403:
            return SourceError(
                f"{where}: the sheet is not shared with {email}: {_share_hint(email)}"
            )
        if status == 404:
            return SourceError(
                f"{where}: no such spreadsheet (HTTP 404); check the URL or key, and that it is "
                f"shared with {email}: {_share_hint(email)}"
            )
        if status == 400 and "protected cell or object" in message:
            return SourceError(
                f"{where}: cannot {what}: a protected sheet or range keeps {email} out (Google: "
                f"{message}); in Google Sheets, Data, Protected sheets and ranges, add {email} "
                f"to its editors or remove the protection.{nothing}"
            )
        if status == 400 and message.startswith("Unable to parse range"):
            # the range names a tab the sheet no longer has: a rename or a delete since the read
            rng = message.partition(":")[2].strip()
            return SourceError(
                f"{where}: cannot {what}: {rng} names a tab the sheet no longer has (renamed or "
                f"deleted since sheetcrm read the sheet); run the command again.{nothing}"
            )
        if status == 400 and "not supported for this document" in message:
            # an .xlsx kept in Drive, opened in Google Sheets: the API reads Google Sheets only
            return SourceError(
                f"{where}: an Excel file kept in Google Drive, not a Google Sheet (Google: "
                f"{message}); open it in Google Sheets, File, Save as Google Sheets, and use "
                "the new sheet's URL (or download the .xlsx and give its path)"
            )
        if status == 401:
            return ConfigError(
                f"{where}: Google did not accept the credentials of {email} ({message})"
            )
        return SourceError(
            f"{where}: Google refused to {what} (HTTP {status}: {message}).{nothing}"
        )
    if isinstance(exc, auth_errors.RefreshError) and exc.retryable:
        # a 5xx or "internal_failure" from the token endpoint, still failing after the
        # retries of google-auth: an outage at Google, not a bad key
        detail = exc.args[0] if exc.args else str(exc)
        return SourceError(
            f"{where}: Google's sign-in service did not answer properly ({detail}); {what} "
            f"failed. Try again later.{nothing}"
        )
    if isinstance(exc, auth_errors.RefreshError):
        detail = exc.args[0] if exc.args else str(exc)
        key = backend.account.key_file.path
        return ConfigError(
            f"Google rejected the service-account key {key} ({detail}): it may be revoked, deleted "
            "or expired; create a new key for the service account and download it"
        )
    if isinstance(exc, auth_errors.TransportError | requests.exceptions.ConnectionError):
        return SourceError(
            f"{where}: cannot reach Google (no network connection?); {what} failed.{nothing}"
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return SourceError(f"{where}: Google did not answer in time; {what} failed.{nothing}")
    if isinstance(exc, requests.exceptions.RequestException):
        return SourceError(f"{where}: {what} failed ({type(exc).__name__}).{nothing}")
    return None
