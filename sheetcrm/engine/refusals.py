"""Refusal-reason summaries: counts and shares per reason, optionally per group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sheetcrm.schema import first_spelling, fold
from sheetcrm.table import Client
from sheetcrm.values import day_of

NO_REASON = ""


@dataclass(frozen=True)
class ReasonCount:
    group: str  # "" when not grouped
    reason: str  # as first written (or as on the configured list); "" = no reason given
    count: int
    share: float  # of the group's refusals


@dataclass(frozen=True)
class RefusalSummary:
    rows: list[ReasonCount]
    total: int
    undated: int  # refused rows left out because a period was asked and they carry no date


def refusal_date(c: Client) -> date | None:
    """When the client said no: the last contact, else when the row was created."""
    seen = c.last_contact or c.created
    return day_of(seen) if seen else None


def _group_of(c: Client, by: str | None, manager_of: dict[int, str]) -> str:
    if by is None:
        return ""
    if by == "manager":
        return manager_of.get(c.row, c.manager)
    if by == "month":
        d = refusal_date(c)
        return d.strftime("%Y-%m") if d else ""
    return c.get(by)


def summarize(
    clients: list[Client],
    reasons: list[str],
    since: date | None = None,
    until: date | None = None,
    by: str | None = None,
    manager_of: dict[int, str] | None = None,
) -> RefusalSummary:
    """Count refused clients per reason; reasons (and groups) differing only in
    case, spacing or ё/е are one. Reasons on the configured list keep its
    spelling; others, and groups, are shown as first written."""
    canonical = {fold(r): r for r in reasons}
    counts: dict[str, dict[str, int]] = {}
    spelled = first_spelling()  # "Avito" and "avito " are one source
    undated = 0
    for c in clients:
        if c.status != "refused":
            continue
        if since or until:
            d = refusal_date(c)
            if d is None:
                undated += 1
                continue
            if (since and d < since) or (until and d > until):
                continue
        key = (fold(c.refusal_reason) or c.refusal_reason) if c.refusal_reason else NO_REASON
        canonical.setdefault(key, c.refusal_reason)
        group = spelled(_group_of(c, by, manager_of or {}))
        counts.setdefault(group, {}).setdefault(key, 0)
        counts[group][key] += 1
    rows: list[ReasonCount] = []
    for group in sorted(counts, key=lambda g: (g == "", g.casefold())):
        per = counts[group]
        total = sum(per.values())
        # biggest first; "no reason" last so it is never mistaken for a reason
        for key in sorted(per, key=lambda k: (k == NO_REASON, -per[k], canonical[k].casefold())):
            rows.append(
                ReasonCount(group, canonical[key] if key else "", per[key], per[key] / total)
            )
    return RefusalSummary(rows, sum(r.count for r in rows), undated)
