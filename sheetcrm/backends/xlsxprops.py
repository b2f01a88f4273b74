"""docProps/app.xml: the list of sheet titles a package names beside workbook.xml.

Excel keeps it ("Worksheets", or "Листы" in a Russian Excel, and the count in
HeadingPairs; the titles in TitlesOfParts) and file managers show it. A sheet
added to the workbook is added to the worksheets there too, when the list is
the one Excel writes; any other shape is left as it is.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from sheetcrm.backends.xlsxpackage import attr_pattern, escape, prefix_for, set_attr

VT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes",
)
APP_PROPERTIES = ("extended-properties", "extendedProperties")  # relationship type, by name
_SIZE = attr_pattern("size")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(parent: ElementTree.Element | None, name: str) -> ElementTree.Element | None:
    return next((e for e in (parent if parent is not None else ()) if _local(e.tag) == name), None)


def _worksheet_count(root: ElementTree.Element) -> int | None:
    """The count of the first group of HeadingPairs (the worksheets, whatever its name)."""
    vector = _child(_child(root, "HeadingPairs"), "vector")
    counts = [
        v.text or ""
        for variant in (vector if vector is not None else ())
        for v in variant
        if _local(v.tag) in ("i4", "int", "i2", "i8", "ui4")
    ]
    return int(counts[0]) if counts and counts[0].strip().isdigit() else None


def _in_order(titles: list[str], worksheets: list[str]) -> bool:
    """Whether the titles are worksheets, in workbook order (Excel leaves very hidden ones out)."""
    rest = iter(worksheets)
    return bool(titles) and len(set(titles)) == len(titles) and all(t in rest for t in titles)


def with_sheet_title(xml: str, worksheets: list[str], name: str) -> str | None:
    """app.xml with `name` added after the titles of the `worksheets` (the workbook's,
    in order); None when the part does not list them first."""
    try:
        root = ElementTree.fromstring(xml)
    except (ElementTree.ParseError, ValueError):  # ValueError: declared UTF-16
        return None
    titles = _child(_child(root, "TitlesOfParts"), "vector")
    count = _worksheet_count(root)
    if (
        titles is None
        or count is None
        or not _in_order([t.text or "" for t in titles][:count], worksheets)
    ):
        return None
    vp = next((p for ns in VT if (p := prefix_for(xml, ns)) is not None), None)
    parts = re.search(r"<(?:[\w.-]+:)?TitlesOfParts\b[^>]*>", xml)
    pairs = re.search(r"<(?:[\w.-]+:)?HeadingPairs\b[^>]*>", xml)
    if vp is None or parts is None or pairs is None:
        return None
    vector = re.compile(rf"<{vp}vector\b[^>]*>").search(xml, parts.end())
    if vector is None or not _SIZE.search(vector[0]):
        return None
    at = vector.end()
    title = re.compile(rf"<{vp}lpstr\s*/>|<{vp}lpstr\b[^>]*>.*?</{vp}lpstr\s*>", re.S)
    for _ in range(count):
        found = title.search(xml, at)
        if found is None:
            return None
        at = found.end()
    size = int(_SIZE.search(vector[0])[2]) + 1  # type: ignore[index]
    number = re.compile(rf"(<{vp}(?:i4|int|i2|i8|ui4)\b[^>]*>)\s*{count}\s*(</)")
    first = number.search(xml, pairs.end())
    if first is None or not pairs.start() < first.start() < first.end() < parts.start():
        return None
    new = f"<{vp}lpstr>{escape(name)}</{vp}lpstr>"
    return (
        xml[: first.start()]
        + f"{first[1]}{count + 1}{first[2]}"
        + xml[first.end() : vector.start()]
        + set_attr(vector[0], "size", str(size))
        + xml[vector.end() : at]
        + new
        + xml[at:]
    )
