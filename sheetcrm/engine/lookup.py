"""`who`: find a client by phone (any common form), e-mail, or part of a name."""

from __future__ import annotations

import re

from sheetcrm.schema import fold
from sheetcrm.table import Client
from sheetcrm.values import normalize_email, normalize_phone

_PHONE_LIKE = re.compile(r"^[\d\s()+\-.]+$")


def query_kind(query: str) -> str:
    """'email', 'phone' or 'name'."""
    q = query.strip()
    if "@" in q:
        return "email"
    if _PHONE_LIKE.match(q) and len(re.sub(r"\D", "", q)) >= 5:
        return "phone"
    return "name"


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def lookup(clients: list[Client], query: str, region: str = "RU") -> list[Client]:
    """Clients matching `query`, in sheet order.

    A phone matches on its normalised form; a partial number (fewer digits
    than a full phone) matches the end of the stored number, the way people
    read out the last digits. An e-mail matches whole, case-insensitively.
    """
    kind = query_kind(query)
    if kind == "email":
        try:
            wanted = normalize_email(query)
        except ValueError:
            wanted = query.strip().casefold()
        return [c for c in clients if wanted in (c.emails or (c.email.casefold(),))]
    if kind == "phone":
        wanted = ""
        if len(_digits(query)) >= 10:
            try:
                wanted = normalize_phone(query, region)
            except ValueError:
                pass
        if wanted:
            return [c for c in clients if wanted in c.phones]
        tail = _digits(query)
        return [
            c for c in clients if any(_digits(p).endswith(tail) for p in c.phones or (c.phone,))
        ]
    needle = fold(query)
    return [c for c in clients if needle and needle in fold(c.client)]
