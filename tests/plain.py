"""Plain tables for engine tests: client rows and a roster built in Python, no files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conftest import EN_HEADERS, client_row

from sheetcrm.config import Config
from sheetcrm.table import ClientTable, Manager, RawTable, Roster, parse_clients

EN = Config(language="en")


def clients_table(
    rows: Sequence[dict[str, Any] | list[Any]],
    headers: Sequence[str] = EN_HEADERS,
    cfg: Config = EN,
    above: Sequence[list[Any]] = (),
) -> ClientTable:
    """The Clients tab as the parser types it: `above` rows, the header, then `rows`
    (dicts as for conftest.client_row); the first client is on sheet row
    len(above) + 2."""
    body = [r if isinstance(r, list) else client_row(headers, **r) for r in rows]
    return parse_clients(RawTable("Clients", [*above, list(headers), *body]), cfg)


def roster(*names: str, inactive: Sequence[str] = ()) -> Roster:
    """A Managers tab listing `names` then the `inactive` ones (marked as left)."""
    managers = [Manager(row=i, name=n) for i, n in enumerate(names, start=2)]
    start = len(managers) + 2
    managers += [Manager(row=i, name=n, active=False) for i, n in enumerate(inactive, start=start)]
    return Roster(managers)


TEAM = roster("Olga", "Ivan", inactive=["Petr"])


def by_row(found: Sequence[Any]) -> dict[int, list[str]]:
    """Sheet row -> the finding codes on it, in the order found."""
    out: dict[int, list[str]] = {}
    for f in found:
        out.setdefault(f.row, []).append(f.code)
    return out


def table_of(clients: list[Any], headers: Sequence[str] = EN_HEADERS) -> ClientTable:
    """A ClientTable holding `clients` (Client objects made in the test) under `headers`."""
    from sheetcrm.schema import CLIENT_FIELDS, match_headers

    return ClientTable(
        "Clients", 1, list(headers), match_headers(list(headers), CLIENT_FIELDS), clients
    )
