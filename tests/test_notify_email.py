"""notify --via email against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import socket
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from conftest import TODAY
from notify_book import LISTS, assert_only_own_clients, make_book, parse_mail, write_config
from openpyxl import load_workbook

from sheetcrm.cli import cli

DAY = ["--date", TODAY.isoformat()]
PASSWORD = "s3cret-Pa55"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses some recipients."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.refuse = refuse
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"

    def by_recipient(self) -> dict[str, tuple[str, str, str, str]]:
        return {rcpt[0]: parse_mail(content) for _, rcpt, content in self.received}


@pytest.fixture
def smtp_server():
    started = []

    def start(inbox: Inbox, **params) -> int:
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **params)
        controller.start()
        started.append(controller)
        return port

    yield start
    for controller in started:
        controller.stop()


def setup(tmp_path, port, **smtp):
    path = make_book(tmp_path)
    smtp = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": "crm@example.com",
        **smtp,
    }
    cfg = write_config(
        tmp_path, notify={"via": "email", "head_of_sales": ["boss@example.com"], "smtp": smtp}
    )
    return path, cfg


def notify(cfg, *args, env=None):
    runner = CliRunner(env=env or {})
    return runner.invoke(cli, ["--config", str(cfg), "notify", *args], catch_exceptions=False)


def test_each_manager_gets_their_own_list_and_the_head_of_sales_the_digest(tmp_path, smtp_server):
    inbox = Inbox()
    path, cfg = setup(tmp_path, smtp_server(inbox))
    result = notify(cfg, str(path), *DAY)
    assert result.exit_code == 0, result.output
    mail = inbox.by_recipient()
    assert sorted(mail) == [
        "boss@example.com",
        "ivan@example.com",
        "maria@example.com",
        "olga@example.com",
    ]
    assert {sender for sender, _, _ in inbox.received} == {"crm@example.com"}
    assert all(
        len(rcpt) == 1 for _, rcpt, _ in inbox.received
    )  # nobody is copied on another's list
    for name in ("Olga", "Ivan", "Maria"):
        to, subject, text, html = mail[f"{name.lower()}@example.com"]
        assert to == f"{name} <{name.lower()}@example.com>"
        assert_only_own_clients(name, text, html)
    assert mail["olga@example.com"][1] == "Calls for 23.11.2026: 2 (1 overdue)"
    assert mail["maria@example.com"][1] == "Nothing due on 23.11.2026"
    digest = mail["boss@example.com"]
    assert digest[1] == "Team digest for 23.11.2026: 4 due, 3 overdue, 3 orphaned"
    assert "Olga: open 3, due today 1, overdue 1, oldest 13 day(s): Alpha Oil" in digest[2]
    assert "sent: Olga <olga@example.com>: Calls for 23.11.2026: 2 (1 overdue)" in result.output
    assert "no address: Anna: no e-mail on the Managers tab (row 4); not sent" in result.output
    assert result.output.rstrip().endswith("4 sent, 1 without an address.")


def test_once_a_day_unless_forced(tmp_path, smtp_server):
    inbox = Inbox()
    path, cfg = setup(tmp_path, smtp_server(inbox))
    assert notify(cfg, str(path), *DAY).exit_code == 0
    assert len(inbox.received) == 4
    again = notify(cfg, str(path), *DAY)
    assert again.exit_code == 0 and len(inbox.received) == 4
    assert "0 sent, 4 already sent today, 1 without an address." in again.output
    forced = notify(cfg, str(path), *DAY, "--force")
    assert forced.exit_code == 0 and len(inbox.received) == 8
    tomorrow = notify(cfg, str(path), "--date", "2026-11-24")
    assert tomorrow.exit_code == 0 and len(inbox.received) == 12


def test_a_refused_recipient_does_not_stop_the_others(tmp_path, smtp_server):
    inbox = Inbox(refuse=("ivan@example.com",))
    path, cfg = setup(tmp_path, smtp_server(inbox))
    result = notify(cfg, str(path), *DAY)
    assert result.exit_code == 1
    assert sorted(inbox.by_recipient()) == [
        "boss@example.com",
        "maria@example.com",
        "olga@example.com",
    ]
    assert (
        "FAILED: Ivan <ivan@example.com>: refused by the server: 550 5.1.1 mailbox unavailable"
        in result.output
    )
    assert "3 sent, 1 failed, 1 without an address." in result.output
    # the next run sends only what failed
    inbox.refuse = ()
    retry = notify(cfg, str(path), *DAY)
    assert retry.exit_code == 0
    assert [rcpt for _, rcpt, _ in inbox.received][-1] == ["ivan@example.com"]
    assert len(inbox.received) == 4
    assert "1 sent, 3 already sent today" in retry.output


def test_an_address_refused_among_several_is_named_and_the_rest_not_sent_twice(
    tmp_path, smtp_server
):
    """One address of a message refused while the server took the others: the run said
    'sent' and nothing of the refused one."""
    inbox = Inbox(refuse=("gone@example.com",))
    path = make_book(tmp_path)
    smtp = {"host": "127.0.0.1", "port": smtp_server(inbox), "security": "none"}
    smtp["sender"] = "crm@example.com"
    head = ["boss@example.com; gone@example.com"]
    cfg = write_config(tmp_path, notify={"head_of_sales": head, "smtp": smtp})
    result = notify(cfg, str(path), *DAY)
    assert (
        "sent: digest to boss@example.com, gone@example.com: Team digest for 23.11.2026: "
        "4 due, 3 overdue, 3 orphaned (refused by the server for gone@example.com: "
        "550 5.1.1 mailbox unavailable)"
    ) in result.output.splitlines()
    assert [rcpt for _, rcpt, _ in inbox.received].count(["boss@example.com"]) == 1
    again = notify(cfg, str(path), *DAY)
    assert again.exit_code == 0
    assert [rcpt for _, rcpt, _ in inbox.received].count(["boss@example.com"]) == 1


def test_already_sent_names_the_address_it_went_to(tmp_path, smtp_server):
    """Ivan's address corrected after the morning run: the next run said the list had
    already gone to the new address, where it never went."""
    inbox = Inbox()
    path, cfg = setup(tmp_path, smtp_server(inbox))
    assert notify(cfg, str(path), *DAY).exit_code == 0
    wb = load_workbook(path)
    wb["Managers"]["B3"] = "ivan.new@example.com"
    wb.save(path)
    again = notify(cfg, str(path), *DAY)
    assert again.exit_code == 0
    line = next(x for x in again.output.splitlines() if "Ivan" in x)
    assert line.startswith("already sent at ")
    assert line.endswith(": Ivan <ivan@example.com> (--force sends again)")


def test_unreachable_server_is_one_line(tmp_path):
    port = free_port()  # nothing listens there
    path, cfg = setup(tmp_path, port)
    result = notify(cfg, str(path), *DAY)
    assert result.exit_code == 1
    expected = f"cannot reach the SMTP server 127.0.0.1:{port} (Connection refused)"
    assert f"Error: {expected}; 4 message(s) not sent" in result.output
    assert "Traceback" not in result.output and "FAILED" not in result.output
    assert not (tmp_path / ".sheetcrm-sent.json").read_text().count("email:")


def _certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1, the CA file the client is told to trust."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


def _loopback_on(port: int) -> str:
    """A loopback address of its own where `port` (465, 587: below 1024) is free to listen on."""
    host = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(1, 254)}"
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except PermissionError:
            pytest.skip(f"listening on port {port} needs privileges here")
    return host


TLS_ONLY = "port 465 expects TLS from the first byte: set notify.smtp.security to ssl"
PLAIN_FIRST = (
    "port 587 starts without TLS: set notify.smtp.security to starttls (or none), "
    "or notify.smtp.port to 465"
)


@pytest.mark.parametrize(
    ("port", "security", "server_tls", "hint"),
    [
        (465, "none", True, TLS_ONLY),
        (465, "starttls", True, TLS_ONLY),
        (587, "ssl", False, PLAIN_FIRST),
    ],
    ids=["none-on-465", "starttls-on-465", "ssl-on-587"],
)
def test_security_that_does_not_fit_the_port_is_named(tmp_path, port, security, server_tls, hint):
    context, _ = _certificate(tmp_path)
    host = _loopback_on(port)
    tls = {"ssl_context": context} if server_tls else {}  # 465: TLS from the first byte
    controller = Controller(Inbox(), hostname=host, port=port, **tls)
    controller.start()
    try:
        path = make_book(tmp_path)
        smtp = {"host": host, "port": port, "security": security, "sender": "crm@example.com"}
        cfg = write_config(tmp_path, notify={"smtp": {**smtp, "timeout": 0.5}})
        result = notify(cfg, str(path), *DAY)
    finally:
        controller.stop()
    assert result.exit_code == 1
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert f"the SMTP server {host}:{port} " in error
    assert error.endswith(f"; {hint}; 3 message(s) not sent")


def test_starttls_and_login(tmp_path, smtp_server, monkeypatch):
    context, ca = _certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # the client trusts our test certificate
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, auth_data.password))
        ok = auth_data.login == b"crm" and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

    inbox = Inbox()
    port = smtp_server(
        inbox, tls_context=context, require_starttls=True, authenticator=authenticator
    )
    path, cfg = setup(
        tmp_path, port, security="starttls", username="crm", password_env="CRM_SMTP_PASS"
    )
    result = notify(cfg, str(path), *DAY, env={"CRM_SMTP_PASS": PASSWORD})
    assert result.exit_code == 0, result.output
    assert len(logins) == 1 and logins[0][1:] == (b"crm", PASSWORD.encode())
    assert len(inbox.received) == 4
    assert PASSWORD not in result.output

    wrong = notify(cfg, str(path), *DAY, "--force", env={"CRM_SMTP_PASS": "wrong-password"})
    assert wrong.exit_code == 1
    assert (
        f"Error: the SMTP server 127.0.0.1:{port} refused the login for 'crm' (535" in wrong.output
    )
    assert "wrong-password" not in wrong.output and len(inbox.received) == 4

    missing = notify(cfg, str(path), *DAY, "--force", env={})
    assert missing.exit_code == 2
    assert "Error: notify.smtp.username is 'crm' but $CRM_SMTP_PASS is empty" in missing.output


def test_untrusted_certificate_is_one_line(tmp_path, smtp_server):
    context, _ = _certificate(tmp_path)
    port = smtp_server(Inbox(), tls_context=context, require_starttls=True)
    path, cfg = setup(tmp_path, port, security="starttls")
    result = notify(cfg, str(path), *DAY)
    assert result.exit_code == 1
    assert f"the SMTP server 127.0.0.1:{port} has a certificate we cannot trust" in result.output


def test_messages_hold_exactly_the_manager_s_clients_even_for_similar_names(tmp_path, smtp_server):
    """Managers whose names differ only in case and spacing are one manager, not two lists."""
    from openpyxl import load_workbook

    inbox = Inbox()
    path, cfg = setup(tmp_path, smtp_server(inbox))
    wb = load_workbook(path)
    wb["Clients"]["E4"] = "  olga "  # Gamma Glass, written with odd case and spaces
    wb["Clients"]["G4"] = "23.11.2026"
    wb.save(path)
    assert notify(cfg, str(path), *DAY).exit_code == 0
    text = inbox.by_recipient()["olga@example.com"][2]
    assert "Gamma Glass" in text and "Delta Dairy" not in text
    assert LISTS["Ivan"] == ["C04", "C05"]


def test_implicit_tls_and_russian_headers(tmp_path, smtp_server, monkeypatch):
    context, ca = _certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    inbox = Inbox()
    port = smtp_server(inbox, ssl_context=context)  # SMTPS: TLS from the first byte, as on port 465
    path = make_book(tmp_path)
    smtp = {"host": "127.0.0.1", "port": port, "security": "ssl", "sender": "crm@example.com"}
    cfg = write_config(tmp_path, language="ru", notify={"head_of_sales": ["Olga"], "smtp": smtp})
    result = notify(cfg, str(path), *DAY)
    assert result.exit_code == 0, result.output
    # Olga gets her list and, as the head of sales named in config.yaml, the digest
    olga = sorted(parse_mail(c)[1] for _, rcpt, c in inbox.received if rcpt == ["olga@example.com"])
    assert olga == [
        "Звонки на 23.11.2026: 2 (просрочено 1)",
        "Сводка на 23.11.2026: к звонку 4, просрочено 3, ничьих 3",
    ]
    maria = inbox.by_recipient()["maria@example.com"]
    assert maria[1] == "На 23.11.2026 звонков нет" and "Доброе утро, Maria." in maria[2]


def test_a_run_killed_midway_sends_the_rest_next_time_and_nobody_twice(tmp_path, smtp_server):
    """The process dies (OOM killer, kill -9, a power cut) while the third message is sent."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    class KillOnThird(Inbox):
        process: subprocess.Popen | None = None

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            if len(self.received) == 2 and self.process is not None:
                os.kill(self.process.pid, signal.SIGKILL)
                return "451 try again later"
            return await super().handle_DATA(server, session, envelope)

    inbox = KillOnThird()
    path, cfg = setup(tmp_path, smtp_server(inbox))
    command = [sys.executable, "-m", "sheetcrm", "--config", str(cfg), "notify", str(path), *DAY]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    inbox.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    assert inbox.process.wait(timeout=60) == -signal.SIGKILL
    first = [rcpt[0] for _, rcpt, _ in inbox.received]
    assert len(first) == 2
    inbox.process = None
    again = notify(cfg, str(path), *DAY)
    assert again.exit_code == 0, again.output
    everyone = [rcpt[0] for _, rcpt, _ in inbox.received]
    assert sorted(everyone) == [
        "boss@example.com",
        "ivan@example.com",
        "maria@example.com",
        "olga@example.com",
    ]  # the two sent before the crash are not sent again
    assert "2 sent, 2 already sent today, 1 without an address." in again.output


def test_addresses_as_teams_write_them_on_the_managers_tab(tmp_path, smtp_server):
    """'нет', a name with the address, two addresses, a Cyrillic address: none stops the run."""
    from openpyxl import load_workbook

    inbox = Inbox()
    path, cfg = setup(tmp_path, smtp_server(inbox))
    wb = load_workbook(path)
    wb["Managers"]["B2"] = "нет"  # Olga: no e-mail, in so many words
    wb["Managers"]["B3"] = "Иван Петров <Ivan@example.com>; ivan.home@example.com"
    wb["Managers"]["B5"] = "мария@пример.рф"
    wb.save(path)
    result = notify(cfg, str(path), *DAY)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert (
        "no address: Olga: 'нет' in the Email column of the Managers tab (row 2) "
        "is not an e-mail address; not sent" in result.output
    )
    received = {tuple(rcpt): parse_mail(content) for _, rcpt, content in inbox.received}
    assert sorted(received) == [
        ("boss@example.com",),
        ("ivan@example.com", "ivan.home@example.com"),
        ("мария@пример.рф",),
    ]
    assert received[("ivan@example.com", "ivan.home@example.com")][0] == (
        "Ivan <ivan@example.com>, Ivan <ivan.home@example.com>"
    )
    assert_only_own_clients("Ivan", *received[("ivan@example.com", "ivan.home@example.com")][2:])
    assert received[("мария@пример.рф",)][1] == "Nothing due on 23.11.2026"
    assert result.output.rstrip().endswith("3 sent, 2 without an address.")


def test_one_digest_per_address_however_often_head_of_sales_names_it(tmp_path, smtp_server):
    inbox = Inbox()
    port = smtp_server(inbox)
    path = make_book(tmp_path)
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "crm@example.com"}
    heads = ["Olga", "olga@example.com", "Olga@Example.com", "boss@example.com"]
    cfg = write_config(tmp_path, notify={"head_of_sales": heads, "smtp": smtp})
    result = notify(cfg, str(path), *DAY)
    assert result.exit_code == 0, result.output
    digests = [rcpt for _, rcpt, c in inbox.received if "digest" in parse_mail(c)[1]]
    assert sorted(digests) == [["boss@example.com"], ["olga@example.com"]]
    assert result.output.rstrip().endswith("5 sent, 1 without an address.")


def test_a_head_of_sales_who_left_gets_no_digest(tmp_path, smtp_server):
    inbox = Inbox()
    port = smtp_server(inbox)
    path = make_book(tmp_path)
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "crm@example.com"}
    cfg = write_config(
        tmp_path, notify={"head_of_sales": ["petr", "boss@example.com"], "smtp": smtp}
    )
    result = notify(cfg, str(path), *DAY)  # Petr is inactive on the Managers tab
    assert result.exit_code == 0, result.output
    assert "petr@example.com" not in [r for _, rcpt, _ in inbox.received for r in rcpt]
    assert "boss@example.com" in inbox.by_recipient()
    assert (
        "digest for Petr: inactive on the Managers tab (row 6); not sent "
        "(take the name out of notify.head_of_sales)"
    ) in result.output.splitlines()


def test_two_runs_at_once_send_each_list_once(tmp_path, smtp_server):
    """cron's `run --once` and a `notify` typed by hand, both at 08:30, on a slow server."""
    import asyncio
    import os
    import subprocess
    import sys
    from pathlib import Path

    class Slow(Inbox):
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            await asyncio.sleep(0.5)
            return await super().handle_DATA(server, session, envelope)

    inbox = Slow()
    path, cfg = setup(tmp_path, smtp_server(inbox))
    command = [sys.executable, "-m", "sheetcrm", "--config", str(cfg), "notify", str(path), *DAY]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in "ab"]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sorted(rcpt[0] for _, rcpt, _ in inbox.received) == [
        "boss@example.com",
        "ivan@example.com",
        "maria@example.com",
        "olga@example.com",
    ]
    assert sorted(out.splitlines()[-1] for out in outputs) == [
        "0 sent, 4 already sent today, 1 without an address.",
        "4 sent, 1 without an address.",
    ]


def test_a_login_the_server_does_not_offer_is_named_as_such(tmp_path, smtp_server):
    """security: none with a username: servers offer AUTH only after TLS; STARTTLS is not
    what is missing (the message said to set security to none, as it already was)."""
    port = smtp_server(Inbox())
    path, cfg = setup(tmp_path, port, username="crm@example.com")
    result = notify(cfg, str(path), *DAY, env={"SHEETCRM_SMTP_PASSWORD": PASSWORD})
    assert result.exit_code == 1
    assert (
        f"Error: the SMTP server 127.0.0.1:{port} offers no login (AUTH) on this connection; "
        "most servers offer it only over TLS: set notify.smtp.security to starttls (port 587) "
        "or ssl (port 465), or leave notify.smtp.username empty; 4 message(s) not sent"
    ) in result.output
    assert "STARTTLS" not in result.output


def test_a_server_that_closes_the_session_ends_the_run_in_one_line(tmp_path, smtp_server):
    """421: the server limits messages per minute and hangs up; the rest go next time."""

    class Limited(Inbox):
        limit = 2

        async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
            if len(self.received) >= self.limit:
                return "421 4.7.0 Too many messages, try again later"
            envelope.mail_from = address
            return "250 OK"

    inbox = Limited()
    port = smtp_server(inbox)
    path, cfg = setup(tmp_path, port)
    result = notify(cfg, str(path), *DAY)
    assert result.exit_code == 1
    assert len(inbox.received) == 2
    assert (
        f"Error: the SMTP server 127.0.0.1:{port} closed the connection (421 4.7.0 Too many "
        "messages, try again later); 2 message(s) not sent"
    ) in result.output
    assert "connect()" not in result.output and "FAILED" not in result.output
    inbox.limit = 10
    again = notify(cfg, str(path), *DAY)
    assert again.exit_code == 0, again.output
    assert len({rcpt[0] for _, rcpt, _ in inbox.received}) == len(inbox.received) == 4
