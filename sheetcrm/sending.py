"""One notify run: build the messages, drop what went out today, deliver, remember."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sheetcrm.delivery import Batch, Delivery, deliver
from sheetcrm.notify import Message, Outbox, build
from sheetcrm.sent_state import SentState
from sheetcrm.workspace import Workspace


@dataclass
class NotifyReport:
    outbox: Outbox
    pending: list[Message]  # what this run sends (or would send, on a dry run)
    already: list[tuple[Message, str]] = field(default_factory=list)  # and when it went
    batch: Batch = field(default_factory=Batch)
    dry_run: bool = False

    @property
    def sent(self) -> list[Delivery]:
        return [d for d in self.batch.done if d.ok]

    @property
    def failed(self) -> list[Delivery]:
        return [d for d in self.batch.done if not d.ok]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.batch.fatal


def send_lists(
    ws: Workspace,
    via: str,
    now: datetime,
    force: bool = False,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
) -> NotifyReport:
    """Send today's lists and digest through `via`, once per recipient per day."""
    cfg, day = ws.cfg, ws.today
    outbox = build(ws, via)
    state = SentState.load(cfg.path(cfg.notify.state_file))
    report = NotifyReport(outbox, [], dry_run=dry_run)
    for msg in outbox.messages:
        earlier = None if force else state.sent(day, msg.key)
        if earlier:
            report.already.append((msg, str(earlier.get("at", ""))))
        else:
            report.pending.append(msg)
    if dry_run:
        return report
    try:
        report.batch = deliver(
            report.pending, via, cfg, os.environ if environ is None else environ, day
        )
    finally:
        stamp = now.isoformat(timespec="seconds")
        for d in report.batch.done:
            if d.ok:
                state.record(
                    day, d.message.key, at=stamp, to=d.message.address, kind=d.message.kind
                )
        if report.ok:
            state.mark_complete(day, stamp)
        state.save(day)
    return report


def _who(msg: Message) -> str:
    if msg.kind == "digest":
        return f"digest to {msg.address}"
    return f"{msg.name} <{msg.address}>" if msg.address != msg.name else msg.name


def describe(report: NotifyReport) -> list[str]:
    """The lines `sheetcrm notify` prints, one per recipient, then a summary."""
    lines: list[str] = []
    if report.dry_run:
        for msg in report.pending:
            lines += [f"--- {_who(msg)}", f"Subject: {msg.subject}", "", msg.text.rstrip(), ""]
    for d in report.batch.done:
        if d.ok:
            where = f" ({d.detail})" if d.detail else ""
            lines.append(f"sent: {_who(d.message)}: {d.message.subject}{where}")
        else:
            lines.append(f"FAILED: {_who(d.message)}: {d.detail}")
    for msg, at in report.already:
        lines.append(f"already sent at {at[11:19] or '?'}: {_who(msg)} (--force sends again)")
    lines += [f"no address: {line}" for line in report.outbox.no_address]
    lines += [f"skipped, nothing due: {name}" for name in report.outbox.skipped_empty]
    if report.batch.fatal:
        untried = len(report.batch.untried(report.pending))
        lines.append(f"{report.batch.fatal}; {untried} message(s) not sent")
    counts = [
        f"{len(report.pending)} would be sent, nothing sent (dry run)"
        if report.dry_run
        else f"{len(report.sent)} sent",
        f"{len(report.failed)} failed" if report.failed else "",
        f"{len(report.already)} already sent today" if report.already else "",
        f"{len(report.outbox.no_address)} without an address" if report.outbox.no_address else "",
    ]
    lines.append(", ".join(c for c in counts if c) + ".")
    return lines
