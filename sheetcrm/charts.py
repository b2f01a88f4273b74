"""Charts as PNG files: refusal reasons by month, the funnel and the load per manager.

matplotlib is imported only here and only when a chart is drawn, so the
other commands do not pay for it. A bare Figure renders through the Agg
canvas: no display, no pyplot global state.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sheetcrm.config import Config
from sheetcrm.engine.agenda import manager_name
from sheetcrm.engine.refusals import summarize
from sheetcrm.errors import DataError, SheetCrmError, SourceError
from sheetcrm.i18n import t
from sheetcrm.schema import STATUSES, first_spelling
from sheetcrm.table import Client, Roster

KINDS = ("refusals", "funnel", "load")
LABEL_WIDTH = 30  # longer names and reasons push the plot and the legend off the picture
MONTHS_FILLED = 36  # a longer span is a year typed wrong: its empty months would fill the chart


@dataclass
class ChartData:
    title: str
    xlabel: str
    ylabel: str
    categories: list[str]  # along the x axis
    series: dict[str, list[int]]  # legend label -> one value per category (stacked)
    limits: list[int | None] | None = None  # per category, drawn as marks (load)


def _managers(clients: list[Client], roster: Roster, cfg: Config) -> dict[int, str]:
    spelled = first_spelling()  # "olga" and "Olga" off the roster are one bar
    return {c.row: spelled(manager_name(c, roster)) or t(cfg.language, "nobody") for c in clients}


def _order(names: set[str], cfg: Config) -> list[str]:
    nobody = t(cfg.language, "nobody")
    return sorted(names, key=lambda n: (n == nobody, n.casefold()))


def _every_month(dated: list[str]) -> list[str]:
    """The months from the first to the last of `dated` (sorted, "2026-09"), those without
    refusals too: a quiet month shows as no bar rather than vanishing from the axis."""
    if not dated:
        return []
    year, month = map(int, dated[0].rsplit("-", 1))
    last_year, last_month = map(int, dated[-1].rsplit("-", 1))
    span = (last_year - year) * 12 + last_month - month
    if span > MONTHS_FILLED:
        return dated
    return [
        f"{year + (month + i - 1) // 12}-{(month + i - 1) % 12 + 1:02d}" for i in range(span + 1)
    ]


def refusals_data(clients: list[Client], cfg: Config) -> ChartData:
    lang = cfg.language
    summary = summarize(clients, cfg.reasons(), by="month")
    groups = {r.group for r in summary.rows}
    months = _every_month(sorted(groups - {""})) + ([""] if "" in groups else [])
    series: dict[str, list[int]] = {}
    for r in summary.rows:
        label = r.reason or t(lang, "no_reason")
        series.setdefault(label, [0] * len(months))[months.index(r.group)] += r.count
    labels = [m or t(lang, "no_date") for m in months]
    return ChartData(
        t(lang, "chart_refusals"), t(lang, "axis_month"), t(lang, "axis_refusals"), labels, series
    )


def funnel_data(clients: list[Client], roster: Roster, cfg: Config) -> ChartData:
    lang = cfg.language
    managers = _managers(clients, roster, cfg)
    names = _order(set(managers.values()), cfg)
    series = {cfg.status_label(s): [0] * len(names) for s in STATUSES}
    # clients with a blank or unknown status are a bar of their own: left out, the
    # funnel showed fewer clients than the sheet has, and nothing said so
    blank, unknown = t(lang, "empty_status"), t(lang, "unknown_status")
    series |= {blank: [0] * len(names), unknown: [0] * len(names)}
    for c in clients:
        label = cfg.status_label(c.status) if c.status else unknown if c.status_text else blank
        series[label][names.index(managers[c.row])] += 1
    series = {label: counts for label, counts in series.items() if any(counts)}
    return ChartData(
        t(lang, "chart_funnel"), t(lang, "axis_manager"), t(lang, "axis_clients"), names, series
    )


def load_data(clients: list[Client], roster: Roster, cfg: Config) -> ChartData:
    lang = cfg.language
    managers = _managers([c for c in clients if c.is_open], roster, cfg)
    names = _order(set(managers.values()) | {m.name for m in roster.active()}, cfg)
    counts = [0] * len(names)
    for name in managers.values():
        counts[names.index(name)] += 1
    limits = [m.limit if (m := roster.find(n)) else None for n in names]
    return ChartData(
        t(lang, "chart_load"),
        t(lang, "axis_manager"),
        t(lang, "axis_open"),
        names,
        {t(lang, "axis_open"): counts},
        limits if any(v is not None for v in limits) else None,
    )


def chart_data(kind: str, clients: list[Client], roster: Roster, cfg: Config) -> ChartData:
    if kind == "refusals":
        return refusals_data(clients, cfg)
    if kind == "funnel":
        return funnel_data(clients, roster, cfg)
    return load_data(clients, roster, cfg)


def _short(label: str) -> str:
    """The label, or its beginning up to a word and "…" when it is too long."""
    if len(label) <= LABEL_WIDTH:
        return label
    cut = label[: LABEL_WIDTH - 1]
    if " " in cut[LABEL_WIDTH // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-—") + "…"


def draw(data: ChartData, path: Path, lang: str) -> None:
    """Stacked bars with a title, labelled axes and a legend; the title goes into the
    PNG's metadata too."""
    if not data.categories or not any(any(v) for v in data.series.values()):
        raise DataError(f"nothing to chart for '{data.title}': no matching clients in the sheet")
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise SheetCrmError("charts need matplotlib: pip install 'sheetcrm[charts]'") from None
    # a lone reason or status is named too; beside the plot, so it never hides a bar
    legend = list(data.series) != [data.ylabel] or bool(data.limits)
    width = min(16.0, max(7.0, 0.6 * len(data.categories) + 3)) + (2.5 if legend else 0)
    fig = Figure(figsize=(width, 5), layout="constrained")
    ax = fig.add_subplot()
    positions = list(range(len(data.categories)))
    bottom = [0] * len(positions)
    for label, values in data.series.items():
        bars = ax.bar(positions, values, bottom=bottom, label=_short(label))
        if len(data.series) == 1:
            ax.bar_label(bars)
            ax.margins(y=0.1)  # room above the tallest bar for its label
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if data.limits:
        xs = [x for x, v in zip(positions, data.limits, strict=True) if v is not None]
        ys = [v for v in data.limits if v is not None]
        ax.scatter(xs, ys, marker="_", s=600, color="black", label=t(lang, "chart_limit"), zorder=3)
    ax.set_title(data.title)
    ax.set_xlabel(data.xlabel)
    ax.set_ylabel(data.ylabel)
    categories = [_short(c) for c in data.categories]
    crowded = sum(len(c) for c in categories) > 8 * len(categories) or len(positions) > 8
    ax.set_xticks(
        positions,
        categories,
        rotation=30 if crowded else 0,
        ha="right" if crowded else "center",
        rotation_mode="anchor",
    )
    ax.yaxis.get_major_locator().set_params(integer=True)
    if legend:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    try:
        fig.savefig(
            path, format="png", dpi=100, metadata={"Title": data.title, "Software": "sheetcrm"}
        )
    except OSError as exc:
        raise SourceError(f"{path}: cannot write the chart ({exc.strerror})") from None
