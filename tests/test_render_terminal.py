"""What a listing looks like in a terminal (rich): the sheet's text exactly as typed."""

from __future__ import annotations

import io

from sheetcrm.listings import Listing
from sheetcrm.render import render


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_square_brackets_in_the_sheet_are_shown_not_taken_for_markup():
    # a tag in a client's name, a note in a comment, a closing-tag look-alike
    rows = [
        ["[vip] Acme", "call [after lunch]"],
        ["[/b] Beta", "[#42] order"],
        ["Gamma [@home]", "[bold]"],
    ]
    listing = Listing(["client", "comment"], ["Client", "Comment"], rows, title="Today [test]")
    listing.notes.append("note [/i]")
    out = Terminal()
    render(listing, "text", out)
    shown = out.getvalue()
    for text in [*(v for row in rows for v in row), "Today [test]", "note [/i]"]:
        assert text in shown
