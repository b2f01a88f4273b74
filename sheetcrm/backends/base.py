"""The interface every source implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from sheetcrm.plan import Plan
from sheetcrm.table import RawTable


@dataclass
class Snapshot:
    """What one read returned: the tabs asked for that exist, by name."""

    tabs: dict[str, RawTable]
    sheet_names: list[str]
    date1904: bool = False
    fingerprint: object = None  # backend-specific; apply() checks it
    extra: dict[str, object] = field(default_factory=dict)


class Backend(ABC):
    """Read tabs into raw tables; apply a plan. Nothing else knows the source kind."""

    #: a short human name of the source for messages ("crm.xlsx", "Google Sheet …")
    label: str = ""

    @abstractmethod
    def read(self, tab_names: list[str]) -> Snapshot:
        """Read every named tab that exists, in as few requests as the source allows."""

    @abstractmethod
    def apply(self, plan: Plan, snapshot: Snapshot) -> None:
        """Write the plan, or raise SheetCrmError having written nothing."""
