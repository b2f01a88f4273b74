"""A small team for the notify and daemon tests, with figures worked out by hand.

Today is Monday 23.11.2026. Olga and Ivan have lists, Maria has nothing due,
Anna has no address, Petr has left, Boris is not on the Managers tab.
"""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path
from typing import Any

from conftest import client_row, write_book

MANAGERS = [
    ["Name", "Email", "Active", "Telegram"],
    ["Olga", "olga@example.com", "yes", "1001"],
    ["Ivan", "ivan@example.com", "yes", "1002"],
    ["Anna", "", "yes", ""],
    ["Maria", "maria@example.com", "yes", "1004"],
    ["Petr", "petr@example.com", "no", "1005"],
]

CLIENTS = [
    dict(
        id="C01",
        client="Alpha Oil",
        manager="Olga",
        status="In progress",
        next_contact="10.11.2026",
        comment="send the price list",
    ),
    dict(
        id="C02", client="Beta Build", manager="Olga", status="New", next_contact="23.11.2026 10:00"
    ),
    dict(
        id="C03",
        client="Gamma Glass",
        manager="Olga",
        status="In progress",
        next_contact="25.11.2026",
    ),
    dict(
        id="C04",
        client="Delta Dairy",
        manager="Ivan",
        status="In progress",
        next_contact="20.11.2026",
    ),
    dict(id="C05", client="Echo Energy", manager="Ivan", status="New", next_contact="23.11.2026"),
    dict(id="C06", client="Foxtrot Foods", manager="Ivan", status="Won", last_contact="02.11.2026"),
    dict(
        id="C07",
        client="Golf Group",
        manager="Petr",
        status="In progress",
        next_contact="18.11.2026",
    ),
    dict(id="C08", client="Hotel Hub", manager="", status="New", next_contact="23.11.2026"),
    dict(id="C09", client="India Ink", manager="Anna", status="New", next_contact="23.11.2026"),
    dict(id="C10", client="Zulu Zinc", manager="Boris", status="New", next_contact="30.11.2026"),
    dict(
        id="C11",
        client="Kilo Kraft",
        manager="Ivan",
        status="Refused",
        refusal_reason="Too expensive",
        last_contact="20.11.2026",
    ),
    dict(
        id="C12",
        client="Lima Labs",
        manager="Olga",
        status="Refused",
        refusal_reason="Too expensive",
        last_contact="22.11.2026",
    ),
    dict(
        id="C13",
        client="Mike Metals",
        manager="Olga",
        status="Refused",
        refusal_reason="No need",
        last_contact="17.11.2026",
    ),
    dict(
        id="C14",
        client="November Nuts",
        manager="Ivan",
        status="Refused",
        refusal_reason="No budget",
        last_contact="16.11.2026",
    ),
]

# Each manager's list for 23.11.2026, in deck order.
LISTS = {"Olga": ["C01", "C02"], "Ivan": ["C04", "C05"], "Maria": []}
NAMES = {c["id"]: c["client"] for c in CLIENTS}

# The digest, by hand: open, due today, overdue, oldest overdue.
DIGEST_LINES = [
    "Anna: open 1, due today 1, overdue 0",
    "Ivan: open 2, due today 1, overdue 1, oldest 3 day(s): Delta Dairy",
    "Maria: open 0, due today 0, overdue 0",
    "Olga: open 3, due today 1, overdue 1, oldest 13 day(s): Alpha Oil",
    "Boris (not on the Managers tab): open 1, due today 0, overdue 0",
    "Petr (left): open 1, due today 0, overdue 1, oldest 5 day(s): Golf Group",
    "(nobody): open 1, due today 1, overdue 0",
    "Total: open 9, due today 4, overdue 3",
]


def make_book(directory: Path, name: str = "crm.xlsx") -> Path:
    rows = [client_row(**c) for c in CLIENTS]
    from conftest import EN_HEADERS

    return write_book(directory / name, {"Clients": [EN_HEADERS, *rows], "Managers": MANAGERS})


def write_config(directory: Path, **sections: dict[str, Any]) -> Path:
    """config.yaml with English labels and the given notify/schedule settings."""
    import yaml

    data: dict[str, Any] = {"language": "en", "timezone": "Europe/Moscow"}
    data.update(sections)
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def ids_in(text: str) -> list[str]:
    """Client IDs a message lists, in order: the [C..] at the end of each card line."""
    return re.findall(r"^\d+\. .*\[(C\d+)\]$", text, flags=re.M)


def parse_mail(raw: bytes) -> tuple[str, str, str, str]:
    """(To, Subject, plain text, html) of a message as the server received it."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    plain = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return str(msg["To"]), str(msg["Subject"]), plain.replace("\r\n", "\n"), html


def assert_only_own_clients(manager: str, text: str, html: str) -> None:
    """The message carries exactly this manager's clients, and no one else's name or ID."""
    assert ids_in(text) == LISTS[manager]
    for cid, name in NAMES.items():
        if cid not in LISTS[manager]:
            assert name not in text and name not in html, f"{name} leaked into {manager}'s message"
            assert f"[{cid}]" not in text and f">{cid}<" not in html
