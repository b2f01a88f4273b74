"""One notify run: build the messages, drop what went out today, deliver, remember."""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sheetcrm.config import Config, Notify
from sheetcrm.delivery import Batch, Delivery, deliver
from sheetcrm.i18n import t
from sheetcrm.notify import Message, Outbox, build
from sheetcrm.sent_state import SentState, one_at_a_time
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
    workbook = getattr(ws.backend, "path", None)
    path = sent_file(cfg, workbook)
    with nullcontext() if dry_run else one_at_a_time(path):
        state = SentState.load(path)
        report = NotifyReport(outbox, [], dry_run=dry_run)
        for msg in outbox.messages:
            earlier = None if force else state.sent(day, msg.key)
            if earlier:
                # named by the address it went to, which may have been corrected since
                went = replace(msg, address=str(earlier.get("to", msg.address)))
                report.already.append((went, str(earlier.get("at", ""))))
            else:
                report.pending.append(msg)
        if dry_run:
            return report
        stamp = now.isoformat(timespec="seconds")
        state.save(day)  # a state file that cannot be written stops us before anything is sent

        def remember(d: Delivery) -> None:
            # saved after each message: a run that dies midway sends the rest, and nobody twice
            if d.ok:
                msg = d.message
                state.record(day, msg.key, at=stamp, to=msg.address, kind=msg.kind)
                state.save(day)

        report.batch = Batch(on_done=remember)
        env = os.environ if environ is None else environ
        deliver(report.pending, via, cfg, env, day, report.batch, outbox.messages, workbook)
        if report.ok:
            state.mark_complete(day, stamp)
            state.save(day)
    return report


def sent_file(cfg: Config, workbook: Path | None) -> Path:
    """notify.state_file; without a config.yaml beside the workbook (see Config.kept)."""
    return cfg.kept(cfg.notify.state_file, Notify().state_file, workbook)


def _who(msg: Message, lang: str) -> str:
    if msg.kind == "digest":
        return t(lang, "notify_digest_to", address=msg.address)
    return f"{msg.name} <{msg.address}>" if msg.address != msg.name else msg.name


def describe(report: NotifyReport, lang: str = "en") -> list[str]:
    """The lines `sheetcrm notify` prints, one per recipient, then a summary."""
    lines: list[str] = []
    if report.dry_run:
        for msg in report.pending:
            subject = t(lang, "notify_subject", subject=msg.subject)
            lines += [f"--- {_who(msg, lang)}", subject, "", msg.text.rstrip(), ""]
    for d in report.batch.done:
        who = _who(d.message, lang)
        if d.ok:
            where = f" ({d.detail})" if d.detail else ""
            lines.append(t(lang, "notify_sent", who=who, subject=d.message.subject, where=where))
        else:
            lines.append(t(lang, "notify_failed", who=who, detail=d.detail))
    for msg, at in report.already:
        lines.append(t(lang, "notify_already", time=at[11:19] or "?", who=_who(msg, lang)))
    lines += [t(lang, "notify_no_address", line=line) for line in report.outbox.no_address]
    lines += report.outbox.inactive
    lines += [t(lang, "notify_nothing_due", name=name) for name in report.outbox.skipped_empty]
    if report.batch.fatal:
        untried = len(report.batch.untried(report.pending))
        lines.append(t(lang, "notify_not_sent", fatal=report.batch.fatal, n=untried))
    counts = [
        t(lang, "notify_would_send", n=len(report.pending))
        if report.dry_run
        else t(lang, "notify_n_sent", n=len(report.sent)),
        t(lang, "notify_n_failed", n=len(report.failed)) if report.failed else "",
        t(lang, "notify_n_already", n=len(report.already)) if report.already else "",
        t(lang, "notify_n_no_address", n=len(report.outbox.no_address))
        if report.outbox.no_address
        else "",
    ]
    lines.append(", ".join(c for c in counts if c) + ".")
    return lines
