"""`chart`: valid PNG files with the expected title, in English and Russian."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from sheetcrm.charts import chart_data
from sheetcrm.config import Config
from sheetcrm.table import RawTable, parse_clients, parse_managers

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

ROWS = [
    {"client": "A", "manager": "Olga", "status": "New", "next_contact": "25.11.2026"},
    {"client": "B", "manager": "Olga", "status": "In progress", "next_contact": "20.11.2026"},
    {
        "client": "C",
        "manager": "Ivan",
        "status": "Refused",
        "refusal_reason": "Too expensive",
        "last_contact": "03.10.2026",
    },
    {
        "client": "D",
        "manager": "Ivan",
        "status": "Refused",
        "refusal_reason": "No need",
        "last_contact": "12.11.2026",
    },
    {
        "client": "E",
        "manager": "Olga",
        "status": "Refused",
        "refusal_reason": "Too expensive",
        "last_contact": "15.11.2026",
    },
    {"client": "F", "manager": "Ivan", "status": "Won", "amount": 1000},
]


def png_text(path: Path) -> tuple[tuple[int, int], dict[str, str]]:
    """(width, height) and the text chunks (tEXt and iTXt) of a PNG file."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    pos, size, texts = 8, (0, 0), {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"tEXt":
            key, value = body.split(b"\0", 1)
            texts[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, rest = body.split(b"\0", 1)
            compressed, rest = rest[0], rest[2:]
            _lang, _translated, value = rest.split(b"\0", 2)
            texts[key.decode("latin-1")] = (
                zlib.decompress(value) if compressed else value
            ).decode()
        pos += 12 + length
        if kind == b"IEND":
            break
    return size, texts


@pytest.mark.parametrize(
    ("kind", "lang", "title"),
    [
        ("refusals", "en", "Refusal reasons by month"),
        ("funnel", "en", "Clients by status per manager"),
        ("load", "en", "Open clients per manager"),
        ("refusals", "ru", "Причины отказов по месяцам"),
        ("funnel", "ru", "Воронка по менеджерам"),
        ("load", "ru", "Открытые клиенты по менеджерам"),
    ],
)
def test_chart_is_a_png_with_its_title(book, run, en_config, tmp_path, kind, lang, title):
    en_config.write_text(f"language: {lang}\n", encoding="utf-8")
    path = book(ROWS)
    out = tmp_path / f"{kind}.png"
    result = run("chart", kind, str(path), "--out", str(out))
    assert result.exit_code == 0, result.output
    wrote = "Wrote" if lang == "en" else "Записан файл"  # in the user's language
    assert result.stdout == f"{wrote} {out}: {title}.\n"
    assert out.stat().st_size > 0
    (width, height), texts = png_text(out)
    assert width > 0 and height > 0
    assert texts["Title"] == title


def test_default_file_name(book, run, tmp_path, monkeypatch):
    path = book(ROWS)
    monkeypatch.chdir(tmp_path)
    assert run("chart", "load", str(path)).exit_code == 0
    assert png_text(tmp_path / "chart-load.png")[1]["Title"] == "Open clients per manager"


def test_nothing_to_chart_is_a_clear_error(book, run, tmp_path):
    path = book([{"client": "A", "manager": "Olga", "status": "New", "next_contact": "25.11.2026"}])
    result = run("chart", "refusals", str(path), "--out", str(tmp_path / "r.png"))
    assert result.exit_code == 2
    assert "nothing to chart for 'Refusal reasons by month'" in result.stderr
    assert not (tmp_path / "r.png").exists()


def _clients(rows: list[list[object]], managers: list[list[object]]):
    cfg = Config(language="en")
    table = parse_clients(RawTable("Clients", rows), cfg)
    return table.clients, parse_managers(RawTable("Managers", managers)), cfg


def test_funnel_shows_clients_without_a_known_status():
    """Clients whose status is blank or not one the team uses were left out of the funnel: it
    showed fewer clients than the sheet has, and nothing said so."""
    rows = [
        ["Client", "Manager", "Status"],
        ["A", "Olga", "New"],
        ["B", "Olga", ""],
        ["C", "Ivan", "Думает"],
        ["D", "Ivan", ""],
    ]
    clients, roster, cfg = _clients(rows, [["Name", "Active"], ["Olga", "yes"], ["Ivan", "yes"]])
    funnel = chart_data("funnel", clients, roster, cfg)
    assert funnel.categories == ["Ivan", "Olga"]
    assert funnel.series == {"New": [0, 1], "no status": [1, 1], "unknown status": [1, 0]}


def test_chart_figures():
    header = ["Client", "Manager", "Status", "Refusal reason", "Last contact"]
    rows = [
        header,
        ["A", "Olga", "New", "", ""],
        ["B", "olga", "In progress", "", ""],
        ["C", "Ivan", "Refused", "Too expensive", "03.10.2026"],
        ["D", "Ivan", "Refused", "No need", "12.11.2026"],
        ["E", "Olga", "Refused", "too expensive", "15.11.2026"],
        ["F", "", "New", "", ""],
    ]
    managers = [
        ["Name", "Active", "Limit"],
        ["Olga", "yes", 10],
        ["Ivan", "yes", ""],
        ["Anna", "yes", 5],
    ]
    clients, roster, cfg = _clients(rows, managers)

    refusals = chart_data("refusals", clients, roster, cfg)
    assert refusals.categories == ["2026-10", "2026-11"]
    assert refusals.series == {"Too expensive": [1, 1], "No need": [0, 1]}

    funnel = chart_data("funnel", clients, roster, cfg)
    assert funnel.categories == ["Ivan", "Olga", "(nobody)"]
    assert funnel.series == {"New": [0, 1, 1], "In progress": [0, 1, 0], "Refused": [2, 1, 0]}

    load = chart_data("load", clients, roster, cfg)  # Anna has no open client but is on the roster
    assert load.categories == ["Anna", "Ivan", "Olga", "(nobody)"]
    assert load.series == {"Open clients": [0, 0, 2, 1]}
    assert load.limits == [5, None, 10, None]


def test_a_month_without_refusals_is_on_the_chart_with_none():
    header = ["Client", "Manager", "Status", "Refusal reason", "Last contact"]
    rows = [
        header,
        ["A", "Olga", "Refused", "Too expensive", "15.09.2026"],
        ["B", "Olga", "Refused", "No need", "30.11.2026"],
        ["C", "Ivan", "Refused", "Too expensive", "02.01.2027"],
        ["D", "Ivan", "Refused", "No need", ""],
    ]
    clients, roster, cfg = _clients(rows, [["Name"], ["Olga"]])
    refusals = chart_data("refusals", clients, roster, cfg)
    months = ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "(no date)"]
    assert refusals.categories == months
    assert refusals.series == {"Too expensive": [1, 0, 0, 0, 1, 0], "No need": [0, 0, 1, 0, 0, 1]}
    # a year typed wrong spans decades: only the months with refusals then
    rows[1][4] = "30.11.1926"
    clients, roster, cfg = _clients(rows, [["Name"], ["Olga"]])
    refusals = chart_data("refusals", clients, roster, cfg)
    assert refusals.categories == ["1926-11", "2026-11", "2027-01", "(no date)"]


def test_a_manager_off_the_roster_written_two_ways_is_one_bar():
    rows = [
        ["Client", "Manager", "Status"],
        ["A", "Petya", "New"],
        ["B", "petya ", "In progress"],
        ["C", "Olga", "New"],
    ]
    clients, roster, cfg = _clients(rows, [["Name"], ["Olga"]])
    assert chart_data("funnel", clients, roster, cfg).categories == ["Olga", "Petya"]
    load = chart_data("load", clients, roster, cfg)
    assert (load.categories, load.series) == (["Olga", "Petya"], {"Open clients": [1, 2]})


def _legend_of(kind: str, rows: list[list[object]], tmp_path: Path, monkeypatch) -> list[str]:
    """The legend's entries on the drawn chart ([] when it has none)."""
    from matplotlib.figure import Figure

    from sheetcrm.charts import draw

    shown: list[str] = []
    save = Figure.savefig

    def spy(fig, *args, **kwargs):
        if legend := fig.axes[0].get_legend():
            shown.extend(text.get_text() for text in legend.get_texts())
        return save(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    clients, roster, cfg = _clients(rows, [["Name"], ["Olga"]])
    draw(chart_data(kind, clients, roster, cfg), tmp_path / f"{kind}.png", "en")
    return shown


def test_a_single_reason_or_status_is_still_named_in_the_legend(tmp_path, monkeypatch):
    """One stacked series is still a reason (or a status): without a legend the chart never
    said which one."""
    header = ["Client", "Manager", "Status", "Refusal reason", "Last contact"]
    rows = [header, ["A", "Olga", "Refused", "Too expensive", "03.11.2026"]]
    assert _legend_of("refusals", rows, tmp_path, monkeypatch) == ["Too expensive"]
    assert _legend_of("funnel", rows, tmp_path, monkeypatch) == ["Refused"]
    load = [["Client", "Manager", "Status"], ["A", "Olga", "New"]]
    assert _legend_of("load", load, tmp_path, monkeypatch) == []  # its one series is the y axis


def test_long_names_and_reasons_are_shortened_and_the_chart_stays_whole(tmp_path, monkeypatch):
    """A manager written with her job title, a reason typed as a sentence: every label is
    still on the picture, and so are the plot, the axis titles and the legend."""
    import warnings

    from matplotlib.figure import Figure

    from sheetcrm.charts import draw

    boss = "Иванова Ольга Петровна (старший менеджер, корпоративные продажи)"
    reason = "Выбрали конкурента, который предложил лучшие условия оплаты и доставки"
    header = ["Client", "Manager", "Status", "Refusal reason", "Last contact"]
    rows = [header]
    for i, manager in enumerate([boss, "Ivan", "Козлова Анна Сергеевна — региональный отдел"]):
        rows += [[f"A{i}", manager, "Refused", reason, "03.11.2026"]]
        rows += [[f"B{i}", manager, "Refused", "Too expensive", "03.10.2026"]]
        rows += [[f"C{i}", manager, "New", "", ""]]
    clients, roster, cfg = _clients(rows, [["Name"], ["Ivan"]])
    seen: dict[str, list] = {}
    save = Figure.savefig

    def spy(fig, *args, **kwargs):
        save(fig, *args, **kwargs)  # lays the figure out first
        ax = fig.axes[0]
        legend = ax.get_legend()
        seen["labels"] = [x.get_text() for x in ax.get_xticklabels()]
        seen["legend"] = [x.get_text() for x in legend.get_texts()]
        box = fig.bbox
        parts = [ax, legend, ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels()]
        seen["outside"] = [p for p in parts if not box.contains(*p.get_window_extent().p0)]
        seen["outside"] += [p for p in parts if not box.contains(*p.get_window_extent().p1)]

    monkeypatch.setattr(Figure, "savefig", spy)
    for kind in ("funnel", "refusals"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # matplotlib warns when the layout collapses
            draw(chart_data(kind, clients, roster, cfg), tmp_path / f"{kind}.png", "ru")
        assert seen["outside"] == [], kind
        for label in seen["labels"] + seen["legend"]:
            assert len(label) <= 30, label
    assert "Выбрали конкурента, который…" in seen["legend"]
