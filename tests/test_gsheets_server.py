"""The local Sheets API server behaves as Google does, checked against the API's own
discovery document and against a client built from it (googleapiclient)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["sheets_server"]  # the `google` fixture

SHEETCRM_TABS = {"Клиенты": [["ID", "Клиент"], ["", "Ромашка"], [], ["C2", "Вектор", "", ""]]}


@pytest.fixture(scope="module")
def discovery() -> dict:
    import googleapiclient

    path = Path(googleapiclient.__file__).parent / "discovery_cache/documents/sheets.v4.json"
    return json.loads(path.read_text(encoding="utf-8"))


def problems(obj, schema: dict, schemas: dict, where: str = "") -> list[str]:
    """Fields of `obj` the schema does not have, or of the wrong JSON type."""
    if "$ref" in schema:
        schema = schemas[schema["$ref"]]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if not isinstance(obj, dict):
            return [f"{where}: {obj!r} is not an object"]
        out = []
        for key, value in obj.items():
            sub = schema.get("properties", {}).get(key) or schema.get("additionalProperties")
            if sub is None:
                out.append(f"{where}.{key}: not in the schema")
            else:
                out += problems(value, sub, schemas, f"{where}.{key}")
        return out
    if kind == "array":
        if not isinstance(obj, list):
            return [f"{where}: {obj!r} is not an array"]
        return [
            p
            for i, v in enumerate(obj)
            for p in problems(v, schema["items"], schemas, f"{where}[{i}]")
        ]
    types = {"string": str, "integer": int, "number": (int, float), "boolean": bool}
    if kind in types and not isinstance(obj, types[kind]):
        return [f"{where}: {obj!r} is not a {kind}"]
    return []


@pytest.fixture
def api(google):
    """(session, base URL of the spreadsheet) signed in as the service account."""
    from google.auth.transport.requests import AuthorizedSession
    from google.oauth2 import service_account

    creds = service_account.Credentials.from_service_account_file(
        str(google.key_file), scopes=["https://www.googleapis.com/auth/spreadsheets"]
    )
    key = google.add(SHEETCRM_TABS)
    return AuthorizedSession(creds), f"{google.server.url}/v4/spreadsheets/{key}", key


def test_reads_trim_like_google(api):
    session, base, _ = api
    got = session.get(f"{base}/values/'Клиенты'", params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert got.json() == {
        "range": "'Клиенты'!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [["ID", "Клиент"], ["", "Ромашка"], [], ["C2", "Вектор"]],
    }
    empty = session.get(f"{base}/values/'Клиенты'!D10:E20").json()
    assert "values" not in empty and empty["range"] == "'Клиенты'!D10:E20"
    cleared = session.post(f"{base}/values/'Клиенты'!B2:B2:clear").json()
    assert cleared == {"spreadsheetId": api[2], "clearedRange": "'Клиенты'!B2:B2"}
    session.put(
        f"{base}/values/'Клиенты'!B2",
        params={"valueInputOption": "RAW"},
        json={"values": [["Ромашка"]]},
    )
    cols = session.get(f"{base}/values/'Клиенты'!A:B", params={"majorDimension": "COLUMNS"}).json()
    assert cols["values"] == [["ID", "", "", "C2"], ["Клиент", "Ромашка", "", "Вектор"]]
    assert cols["range"] == "'Клиенты'!A1:B1000"


def test_raw_keeps_text_user_entered_parses_it(api):
    session, base, _ = api
    body = {"values": [["=1+1", "00123", "23.11.2026", "TRUE", 5]]}
    for row, option in (("2", "RAW"), ("3", "USER_ENTERED")):
        r = session.put(
            f"{base}/values/'Клиенты'!C{row}", params={"valueInputOption": option}, json=body
        )
        assert r.status_code == 200, r.text

    def read(option, dates="SERIAL_NUMBER"):
        params = {"valueRenderOption": option, "dateTimeRenderOption": dates}
        return session.get(f"{base}/values/'Клиенты'!C2:G3", params=params).json()["values"]

    assert read("UNFORMATTED_VALUE") == [
        ["=1+1", "00123", "23.11.2026", "TRUE", 5],
        [2, 123, 46349, True, 5],
    ]
    assert read("FORMULA")[1][0] == "=1+1"
    assert read("UNFORMATTED_VALUE", "FORMATTED_STRING")[1][2] == "23.11.2026"
    assert read("FORMATTED_VALUE")[1] == ["2", "123", "23.11.2026", "TRUE", "5"]
    # null leaves a cell alone, "" clears it
    r = session.put(
        f"{base}/values/'Клиенты'!C2",
        params={"valueInputOption": "RAW"},
        json={"values": [[None, ""]]},
    )
    assert r.json()["updatedCells"] == 1
    assert read("UNFORMATTED_VALUE")[0] == ["=1+1", "", "23.11.2026", "TRUE", 5]


def test_tab_names_with_quotes_and_exclamation_marks(google):
    """A quoted tab name may hold "!"; a quote in it is doubled (Google answers so, and
    reads the single quote of its own example 'Jon's_Data'!A1:D5 as well)."""
    from sheets_server import parse_range

    key = google.add({"Clients": [["a"]], "Log!": [["x", "y"]], "Jon's Data": [["j"]]})
    book = google.server.books[key]
    for text, title, a1 in [
        ("'Log!'!A1:B2", "Log!", "'Log!'!A1:B2"),
        ("'Log!'", "Log!", "'Log!'!A1:Z1000"),
        ("'Jon''s Data'!A:A", "Jon's Data", "'Jon''s Data'!A1:A1000"),
        ("'Jon's Data'!A1:D5", "Jon's Data", "'Jon''s Data'!A1:D5"),
        ("'Jon's Data'", "Jon's Data", "'Jon''s Data'!A1:Z1000"),
        ("Clients!B2:C3", "Clients", "Clients!B2:C3"),
        ("B2:C3", "Clients", "Clients!B2:C3"),
    ]:
        rng = parse_range(book, text)
        assert (rng.sheet.title, rng.a1()) == (title, a1), text
    for text in ("Jon''s Data!A1:Z1000", "'Log!", "'Log!'A1", "'Log'!A1"):
        with pytest.raises(Exception, match="Unable to parse range"):
            parse_range(book, text)


def test_errors_are_in_googles_format(api, google):
    session, base, key = api
    out_of_grid = session.put(
        f"{base}/values/'Клиенты'!AA1", params={"valueInputOption": "RAW"}, json={"values": [["x"]]}
    )
    assert out_of_grid.status_code == 400
    assert out_of_grid.json() == {
        "error": {
            "code": 400,
            "message": "Range ('Клиенты'!AA1) exceeds grid limits. Max rows: 1000, max columns: 26",
            "status": "INVALID_ARGUMENT",
        }
    }
    bad = session.get(f"{base}/values/'Nope'!A1")
    assert (
        bad.status_code == 400
        and bad.json()["error"]["message"] == "Unable to parse range: 'Nope'!A1"
    )
    missing = session.get(f"{google.server.url}/v4/spreadsheets/{'x' * 44}")
    assert missing.json()["error"] == {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
    }
    google.server.books[key].shared.clear()
    denied = session.get(base)
    assert denied.json()["error"]["status"] == "PERMISSION_DENIED"
    import requests

    anonymous = requests.get(base, timeout=5)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["status"] == "UNAUTHENTICATED"
    google.server.fail(429)
    assert session.get(base).json()["error"]["status"] == "RESOURCE_EXHAUSTED"


def test_what_sheetcrm_sends_and_gets_fits_the_discovery_document(google, run, discovery):
    """A first sync exercises every call sheetcrm makes; every request body it sends and
    every response the server gives use only fields of the Sheets v4 schema."""
    from conftest import EN_HEADERS, EN_MANAGERS, TODAY

    key = google.add(
        {
            "Clients": [EN_HEADERS, ["", "Daisy", "", "", "Olga", "New", "20.11.2026"]],
            "Managers": EN_MANAGERS,
        }
    )
    responses = []
    handle = google.server.handle

    def recording(*args):
        status, payload = handle(*args)
        if args[1] != "/token":
            responses.append((args[0], args[1], status, payload))
        return status, payload

    google.server.handle = recording
    assert run("sync", google.url(key), "--date", TODAY.isoformat()).exit_code == 0
    run("handover", google.url(key), "Olga", "--apply", "--date", TODAY.isoformat())
    schemas = discovery["schemas"]
    assert problems({"range": 1, "x": 2}, schemas["ValueRange"], schemas) == [
        ".range: 1 is not a string",
        ".x: not in the schema",
    ]
    by_path = {
        "values:batchGet": "BatchGetValuesResponse",
        "values:batchUpdate": "BatchUpdateValuesResponse",
        ":batchUpdate": "BatchUpdateSpreadsheetResponse",
    }
    seen = set()
    for _method, path, status, payload in responses:
        assert status == 200, payload
        name = next((s for suffix, s in by_path.items() if path.endswith(suffix)), "Spreadsheet")
        seen.add(name)
        assert problems(payload, schemas[name], schemas) == [], path
    assert seen == {"Spreadsheet", *by_path.values()}
    requests_ = {
        "values.batchUpdate": "BatchUpdateValuesRequest",
        "spreadsheets.batchUpdate": "BatchUpdateSpreadsheetRequest",
    }
    for endpoint, body in google.server.bodies:
        assert problems(body, schemas[requests_[endpoint]], schemas) == [], endpoint


def test_a_googleapiclient_client_agrees_with_gspread(google, discovery):
    import google_auth_httplib2
    import httplib2
    from google.oauth2 import service_account
    from googleapiclient.discovery import build_from_document

    from sheetcrm.backends.google_http import SheetsHTTPClient

    creds = service_account.Credentials.from_service_account_file(
        str(google.key_file), scopes=["https://www.googleapis.com/auth/spreadsheets"]
    )
    key = google.add(SHEETCRM_TABS)
    http = google_auth_httplib2.AuthorizedHttp(creds, http=httplib2.Http(timeout=5))
    service = build_from_document(
        discovery, http=http, client_options={"api_endpoint": google.server.url + "/"}
    )
    sheets = service.spreadsheets()
    from sheetcrm.backends import gsheets

    client = SheetsHTTPClient.with_settings(gsheets.SETTINGS)(creds)
    params = {"valueRenderOption": "UNFORMATTED_VALUE"}
    theirs = sheets.values().get(spreadsheetId=key, range="'Клиенты'", **params).execute()
    ours = client.values_get(key, "'Клиенты'", params=dict(params))
    assert theirs == ours and theirs["values"][3] == ["C2", "Вектор"]
    meta = sheets.get(spreadsheetId=key).execute()
    assert meta == client.fetch_sheet_metadata(key)
    assert meta["sheets"][0]["properties"]["gridProperties"] == {
        "rowCount": 1000,
        "columnCount": 26,
    }
    sheets.values().batchUpdate(
        spreadsheetId=key,
        body={
            "valueInputOption": "RAW",
            "data": [{"range": "'Клиенты'!C2", "values": [["=2+2"]]}],
        },
    ).execute()
    assert client.values_get(key, "'Клиенты'!C2", params=dict(params))["values"] == [["=2+2"]]
    added = sheets.batchUpdate(
        spreadsheetId=key, body={"requests": [{"addSheet": {"properties": {"title": "Log"}}}]}
    ).execute()
    assert added["replies"][0]["addSheet"]["properties"]["title"] == "Log"
    cleared = sheets.values().batchClear(spreadsheetId=key, body={"ranges": ["'Клиенты'!A4:B4"]})
    assert cleared.execute()["clearedRanges"] == ["'Клиенты'!A4:B4"]
    assert client.values_get(key, "'Клиенты'", params=dict(params))["values"][-1] == [
        "",
        "Ромашка",
        "=2+2",
    ]
