"""Listings to text, markdown, json or csv.

Text is a table drawn by rich in a terminal and plain aligned columns when
piped, so `sheetcrm today | grep` works.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import IO, Any

from sheetcrm.listings import Listing, plain
from sheetcrm.values import text

FORMATS = ("text", "md", "json", "csv")


def cell_text(value: Any, percent: bool = False) -> str:
    if percent and isinstance(value, int | float):
        return f"{value:.1%}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    return text(value)


def _texts(listing: Listing, row: list[Any]) -> list[str]:
    return [cell_text(v, k in listing.percent) for k, v in zip(listing.keys, row, strict=False)]


def to_markdown(listing: Listing) -> str:
    def esc(value: str) -> str:
        return value.replace("|", "\\|").replace("\n", " ")

    lines = []
    if listing.title:
        lines += [f"## {listing.title}", ""]
    lines.append("| " + " | ".join(listing.labels) + " |")
    lines.append("|" + "|".join("---" for _ in listing.labels) + "|")
    lines += [
        "| " + " | ".join(esc(v) for v in _texts(listing, row)) + " |" for row in listing.rows
    ]
    lines += [f"\n{note}" for note in listing.notes]
    return "\n".join(lines) + "\n"


def to_csv(listing: Listing) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(listing.keys)
    writer.writerows([[plain(v) for v in row] for row in listing.rows])
    return buf.getvalue()


def to_json(listing: Listing) -> str:
    rows = [{k: plain(v) for k, v in row.items()} for row in listing.as_dicts()]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def to_plain(listing: Listing) -> str:
    table = [listing.labels, *(_texts(listing, row) for row in listing.rows)]
    widths = [
        max(len(r[i]) if i < len(r) else 0 for r in table) for i in range(len(listing.labels))
    ]
    lines = []
    if listing.title:
        lines.append(listing.title)
    for row in table:
        lines.append(
            "  ".join(
                v.replace("\n", " ").ljust(w) for v, w in zip(row, widths, strict=False)
            ).rstrip()
        )
    lines += listing.notes
    return "\n".join(lines) + "\n"


def render(listing: Listing, fmt: str = "text", out: IO[str] | None = None) -> None:
    out = out or sys.stdout
    if fmt == "md":
        out.write(to_markdown(listing))
    elif fmt == "csv":
        out.write(to_csv(listing))
    elif fmt == "json":
        out.write(to_json(listing))
    elif out.isatty():
        _rich(listing, out)
    else:
        out.write(to_plain(listing))


def _rich(listing: Listing, out: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Text, not str: rich would read "[vip] Acme" or "[/b]" in a cell as markup
    title = Text(listing.title, style="table.title") if listing.title else None
    table = Table(title=title, header_style="bold")
    for label in listing.labels:
        table.add_column(Text(label), overflow="fold")
    for row in listing.rows:
        table.add_row(*map(Text, _texts(listing, row)))
    console = Console(file=out)
    console.print(table)
    for note in listing.notes:
        console.print(Text(note))
