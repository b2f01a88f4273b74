"""Getting messages to people: SMTP, the Telegram Bot API, or files in a folder.

Each channel takes a list of messages and returns one Delivery per message:
a recipient the server refuses is one failed Delivery and the others still
go. A server that cannot be reached at all ends the run with one line
(`Batch.fatal`) instead of a failure per recipient. Secrets come from the
environment and never appear in a message, a log line or an error.
"""

from __future__ import annotations

import json
import re
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from typing import Any

from sheetcrm.config import Config, Notify, Smtp, Telegram
from sheetcrm.errors import ConfigError
from sheetcrm.notify import Message

TELEGRAM_LIMIT = 4096  # characters in one sendMessage


@dataclass
class Delivery:
    message: Message
    ok: bool
    detail: str = ""  # why it failed, or where a file went


@dataclass
class Batch:
    done: list[Delivery] = field(default_factory=list)
    fatal: str = ""  # the server could not be reached; the rest were not tried
    # called as each message is done, so what went out is on record even if the run dies next
    on_done: Callable[[Delivery], None] | None = None

    def add(self, delivery: Delivery) -> None:
        self.done.append(delivery)
        if self.on_done is not None:
            self.on_done(delivery)

    def untried(self, messages: list[Message]) -> list[Message]:
        tried = {id(d.message) for d in self.done}
        return [m for m in messages if id(m) not in tried]


def deliver(
    messages: list[Message],
    via: str,
    cfg: Config,
    environ: Mapping[str, str],
    day: date,
    batch: Batch | None = None,
    everyone: Sequence[Message] = (),
    workbook: Path | None = None,
) -> Batch:
    """Deliver `messages` into `batch` (a new one when not given) and return it;
    `everyone` is the day's whole outbox, of which `messages` are the ones to send now;
    the folder of `workbook` holds the outbox when no config.yaml names one."""
    if via == "email":
        return send_email(messages, cfg.notify.smtp, environ, batch)
    if via == "telegram":
        return send_telegram(messages, cfg.notify.telegram, environ, batch=batch)
    outbox = cfg.kept(cfg.notify.outbox, Notify().outbox, workbook)
    return write_files(messages, outbox, day, batch, everyone)


def check_settings(cfg: Config, via: str, environ: Mapping[str, str]) -> None:
    """Raise ConfigError now for what would stop the delivery later (a daemon checks at start)."""
    if via == "email":
        _sender(cfg.notify.smtp)
        _smtp_password(cfg.notify.smtp, environ)
    elif via == "telegram":
        _token(cfg.notify.telegram, environ)


# -- e-mail -----------------------------------------------------------------


def _sender(smtp: Smtp) -> str:
    sender = smtp.sender or (smtp.username if "@" in smtp.username else "")
    if "@" not in sender:
        raise ConfigError("notify.smtp.sender: set the From address, e.g. crm@example.com")
    return sender


def email_message(msg: Message, sender: str) -> EmailMessage:
    """A multipart/alternative message: the plain text first, the HTML second."""
    em = EmailMessage()
    em["From"] = sender
    name = msg.name if msg.kind != "digest" else ""
    em["To"] = ", ".join(_recipient(name, a) for a in msg.address.split(", "))
    em["Subject"] = msg.subject
    em["Date"] = formatdate(localtime=True)
    em["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    em.set_content(msg.text)
    em.add_alternative(msg.html, subtype="html")
    return em


def _recipient(name: str, address: str) -> str:
    """ "Name <address>"; an address in Cyrillic (SMTPUTF8) goes bare, as formataddr refuses it."""
    try:
        return formataddr((name, address))
    except UnicodeEncodeError:
        return address


def _smtp_password(smtp: Smtp, environ: Mapping[str, str]) -> str:
    if not smtp.username:
        return ""
    password = environ.get(smtp.password_env, "")
    if not password:
        raise ConfigError(
            f"notify.smtp.username is {smtp.username!r} but ${smtp.password_env} is empty; "
            "put the SMTP password in that environment variable"
        )
    return password


def _connect(smtp: Smtp, password: str) -> smtplib.SMTP:
    """An open, secured and logged-in connection, or ConnectionProblem with one line."""
    where = f"{smtp.host}:{smtp.port}"
    context = ssl.create_default_context()
    conn: smtplib.SMTP | None = None
    logging_in = False
    try:
        if smtp.security == "ssl":
            conn = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            conn = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        conn.ehlo()
        if smtp.security == "starttls":
            conn.starttls(context=context)
            conn.ehlo()
        if smtp.username:
            logging_in = True
            conn.login(smtp.username, password)
        return conn
    except smtplib.SMTPAuthenticationError as exc:
        reason = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        problem = f"the SMTP server {where} refused the login for {smtp.username!r} ({reason})"
    except smtplib.SMTPNotSupportedError:
        if logging_in:
            fix = "leave notify.smtp.username empty"
            if smtp.security == "none":
                fix = (
                    "most servers offer it only over TLS: set notify.smtp.security to starttls "
                    f"(port 587) or ssl (port 465), or {fix}"
                )
            problem = f"the SMTP server {where} offers no login (AUTH) on this connection; {fix}"
        else:
            problem = (
                f"the SMTP server {where} does not offer STARTTLS; set notify.smtp.security "
                "to ssl (usually port 465) or none"
            )
    except ssl.SSLCertVerificationError as exc:
        problem = (
            f"the SMTP server {where} has a certificate we cannot trust ({exc.verify_message})"
        )
    except ssl.SSLError as exc:
        problem = f"TLS with the SMTP server {where} failed ({exc.reason or exc}){_port_hint(smtp)}"
    except (OSError, smtplib.SMTPException) as exc:
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        problem = f"cannot reach the SMTP server {where} ({detail})"
        if not isinstance(exc, ConnectionRefusedError | socket.gaierror):  # nobody listens there
            problem += _port_hint(smtp)
    if conn is not None:
        _close(conn)
    raise ConnectionProblem(problem)


def _port_hint(smtp: Smtp) -> str:
    """Which setting is likely wrong when the port and `security` disagree, else "".

    Plain SMTP against a TLS-only port waits for a greeting that never comes (until the
    timeout); TLS against a plain port gets the greeting where the handshake should be."""
    if smtp.port == 465 and smtp.security != "ssl":
        return "; port 465 expects TLS from the first byte: set notify.smtp.security to ssl"
    if smtp.port in (25, 587) and smtp.security == "ssl":
        return (
            f"; port {smtp.port} starts without TLS: set notify.smtp.security to starttls "
            "(or none), or notify.smtp.port to 465"
        )
    return ""


class ConnectionProblem(Exception):
    """The server as a whole is out of reach (not one recipient)."""


def _close(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        conn.close()


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# 421: the server ends the session ("too many messages, try again later"); smtplib has
# closed the connection, and every message after this one would meet the same answer
SESSION_CLOSED = 421


def _closed(smtp: Smtp, reply: str) -> str:
    return f"the SMTP server {smtp.host}:{smtp.port} closed the connection ({reply})"


def _refused_some(refused: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"refused by the server for {address}: {code} {_text(reply)}"
        for address, (code, reply) in refused.items()
    )


def send_email(
    messages: list[Message], smtp: Smtp, environ: Mapping[str, str], batch: Batch | None = None
) -> Batch:
    batch = Batch() if batch is None else batch
    if not messages:
        return batch
    password = _smtp_password(smtp, environ)
    sender = _sender(smtp)
    conn: smtplib.SMTP | None = None
    try:
        for msg in messages:
            try:
                if conn is None:
                    conn = _connect(smtp, password)
                refused = conn.send_message(email_message(msg, sender))
                # the others have it: named, not sent again (a retry would reach them twice)
                batch.add(Delivery(msg, True, _refused_some(refused)))
            except ConnectionProblem as exc:
                batch.fatal = str(exc)
                break
            except smtplib.SMTPRecipientsRefused as exc:
                code, reply = next(iter(exc.recipients.values()))
                if code == SESSION_CLOSED:
                    batch.fatal = _closed(smtp, f"{code} {_text(reply)}")
                    break
                batch.add(Delivery(msg, False, f"refused by the server: {code} {_text(reply)}"))
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code == SESSION_CLOSED:
                    batch.fatal = _closed(smtp, f"{exc.smtp_code} {_text(exc.smtp_error)}")
                    break
                batch.add(Delivery(msg, False, f"{exc.smtp_code} {_text(exc.smtp_error)}"))
            except (OSError, smtplib.SMTPException) as exc:
                # the connection broke: report this one, reconnect for the next
                batch.add(Delivery(msg, False, str(exc) or type(exc).__name__))
                conn = None
    finally:
        if conn is not None:
            _close(conn)
    return batch


# -- Telegram ---------------------------------------------------------------


def chunks(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split at line ends so that no piece exceeds Telegram's limit."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current.strip():
        pieces.append(current)
    return pieces


Opener = Callable[..., Any]


def _token(tg: Telegram, environ: Mapping[str, str]) -> str:
    token = environ.get(tg.token_env, "")
    if not token:
        raise ConfigError(f"${tg.token_env} is empty; put the Telegram bot token there")
    return token


def _api_error(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read().decode("utf-8", "replace"))
        return f"{exc.code} {body.get('description', '')}".strip()
    except (ValueError, OSError, AttributeError):
        return f"{exc.code} {exc.reason}"


def send_telegram(
    messages: list[Message],
    tg: Telegram,
    environ: Mapping[str, str],
    opener: Opener | None = None,
    batch: Batch | None = None,
) -> Batch:
    batch = Batch() if batch is None else batch
    if not messages:
        return batch
    token = _token(tg, environ)
    opener = opener or urllib.request.urlopen
    url = f"{tg.api_base.rstrip('/')}/bot{token}/sendMessage"
    base = re.sub(r"^(\w+://[^/]+).*$", r"\1", tg.api_base)

    def hide(text: str) -> str:
        return text.replace(token, "<token>")

    for msg in messages:
        try:
            for piece in chunks(msg.text):
                payload = {"chat_id": msg.address, "text": piece, "disable_web_page_preview": True}
                request = urllib.request.Request(
                    url, json.dumps(payload).encode(), {"Content-Type": "application/json"}
                )
                with opener(request, timeout=tg.timeout) as response:
                    answer = json.loads(response.read().decode("utf-8", "replace") or "{}")
                if not answer.get("ok"):
                    raise ValueError(answer.get("description") or "the API did not answer ok")
            batch.add(Delivery(msg, True))
        except urllib.error.HTTPError as exc:
            batch.add(Delivery(msg, False, hide(_api_error(exc))))
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            batch.fatal = hide(f"cannot reach the Telegram Bot API at {base} ({reason})")
            break
        except ValueError as exc:
            batch.add(Delivery(msg, False, hide(str(exc))))
    return batch


# -- a folder ---------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w.@-]+")


def file_stem(msg: Message) -> str:
    stem = _UNSAFE.sub("_", msg.name).strip("._") or "recipient"
    return f"digest-{stem}" if msg.kind == "digest" else stem


def file_stems(messages: Sequence[Message]) -> dict[str, str]:
    """A file name per message key, each its own: names that clean up alike ("Anna K" and
    "Anna (K)") or differ only in case (many file systems ignore it) get -2, -3..."""
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for msg in messages:
        if msg.key in stems:
            continue
        base = stem = file_stem(msg)
        n = 1
        while stem.casefold() in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.casefold())
        stems[msg.key] = stem
    return stems


def write_files(
    messages: list[Message],
    outbox: Path,
    day: date,
    batch: Batch | None = None,
    everyone: Sequence[Message] = (),
) -> Batch:
    """Each message as <outbox>/<date>/<name>.txt and .html. File names are made unique
    among `everyone` (the day's messages, sent earlier or not) too, so a rerun that sends
    one of two alike names does not write over the other's file."""
    batch = Batch() if batch is None else batch
    stems = file_stems([*everyone, *messages])
    for msg in messages:
        folder = outbox / day.isoformat()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            stem = stems[msg.key]
            (folder / f"{stem}.txt").write_text(
                f"Subject: {msg.subject}\n\n{msg.text}", encoding="utf-8"
            )
            (folder / f"{stem}.html").write_text(msg.html, encoding="utf-8")
            batch.add(Delivery(msg, True, str(folder / f"{stem}.txt")))
        except OSError as exc:
            batch.add(Delivery(msg, False, f"cannot write to {folder} ({exc.strerror})"))
    return batch
