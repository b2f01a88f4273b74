"""Whatever the sheet holds, a manager's message lists exactly their own due clients."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetcrm.config import Config
from sheetcrm.notify import build
from sheetcrm.table import RawTable, parse_clients, parse_managers
from sheetcrm.workspace import Workspace

TODAY = date(2026, 11, 23)
NAMES = ["Olga", "olga ", "OLGA", "Ivan", "Ivan Petrov", "Petr", "Boris", ""]
ROSTER = [
    ["Name", "Email", "Active"],
    ["Olga", "olga@example.com", "yes"],
    ["Ivan", "ivan@example.com", "yes"],
    ["Ivan Petrov", "ivan.petrov@example.com", "yes"],
    ["Petr", "petr@example.com", "no"],
]
OWNER = {"olga": "Olga", "ivan": "Ivan", "ivan petrov": "Ivan Petrov"}

client = st.tuples(
    st.sampled_from(NAMES),
    st.sampled_from(["New", "In progress", "Won", "Refused", ""]),
    st.one_of(st.none(), st.integers(-20, 5).map(lambda d: TODAY + timedelta(days=d))),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(client, max_size=30))
def test_each_message_holds_exactly_its_manager_s_due_clients(rows):
    header = ["ID", "Client", "Manager", "Status", "Next contact"]
    cells = [
        [f"C{i:03d}", f"Client {i:03d}", manager, status, f"{due:%d.%m.%Y}" if due else ""]
        for i, (manager, status, due) in enumerate(rows)
    ]
    cfg = Config(language="en")
    table = parse_clients(RawTable("Clients", [header, *cells]), cfg)
    roster = parse_managers(RawTable("Managers", ROSTER))
    ws = Workspace(cfg, SimpleNamespace(label="crm.xlsx"), None, table, roster, TODAY)  # type: ignore[arg-type]
    out = build(ws, "email")
    expected: dict[str, set[str]] = {name: set() for name in OWNER.values()}
    for i, (manager, status, due) in enumerate(rows):
        owner = OWNER.get(manager.strip().casefold())
        if owner and status not in ("Won", "Refused") and due is not None and due <= TODAY:
            expected[owner].add(f"C{i:03d}")
    lists = {m.name: m for m in out.messages if m.kind != "digest"}
    assert set(lists) == set(OWNER.values())  # Petr has left: no list for him
    for name, msg in lists.items():
        assert set(msg.client_ids) == expected[name]
        others = {f"C{i:03d}" for i in range(len(rows))} - expected[name]
        assert not any(f"[{cid}]" in msg.text or f"Client {cid[1:]}" in msg.text for cid in others)
