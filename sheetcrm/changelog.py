"""The Log tab: one row per cell sheetcrm changed in the team's data. Append-only."""

from __future__ import annotations

from typing import Any

from sheetcrm.config import Config
from sheetcrm.i18n import t
from sheetcrm.plan import CellChange

LOG_COLUMNS = (
    ("when", "col_when"), ("command", "col_command"), ("id", "col_id"), ("client", "col_client"),
    ("field", "col_field"), ("old", "col_old"), ("new", "col_new"), ("by", "col_by"), ("why", "col_why"),
)


def log_header(cfg: Config) -> list[str]:
    return [t(cfg.language, label) for _, label in LOG_COLUMNS]


def log_rows(changes: list[CellChange], command: str, when: str, by: str, ids: dict[int, str]) -> list[list[Any]]:
    """Rows for the Log; `ids` gives the client ID of rows that had none before."""
    return [
        [when, command, c.key or ids.get(c.row, ""), c.client, c.field, c.old, c.new, by, c.why]
        for c in changes
    ]
