"""`demo`: a realistic sample team, synced, and the first things to look at.

The same generator makes the benchmark workbooks. It is seeded, so the same
size, language and date always give the same workbook.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from sheetcrm.backends import safety
from sheetcrm.config import Config
from sheetcrm.errors import SourceError
from sheetcrm.schema import CLIENT_FIELDS, STATUS_LABELS

# The title in a demo workbook's document properties: a second `demo` in the same folder
# rebuilds a workbook bearing it, and never writes over a team's own crm.xlsx.
DEMO_TITLE = "sheetcrm demo"

MANAGERS = {
    "ru": [
        ("Ольга Петрова", "Москва"),
        ("Иван Смирнов", "Санкт-Петербург"),
        ("Анна Козлова", "Казань"),
        ("Дмитрий Орлов", "Москва"),
        ("Сергей Волков", "Екатеринбург"),
    ],
    "en": [
        ("Olga Petrova", "Moscow"),
        ("Ivan Smirnov", "Saint Petersburg"),
        ("Anna Kozlova", "Kazan"),
        ("Dmitry Orlov", "Moscow"),
        ("Sergey Volkov", "Yekaterinburg"),
    ],
}
LEFT = 4  # the fifth manager has left the company
_WORDS = {
    "ru": (
        ["ООО", "ИП", "АО", "ЗАО"],
        [
            "Ромашка",
            "Вектор",
            "Альфа",
            "Север",
            "Гранит",
            "Лотос",
            "Орион",
            "Спектр",
            "Меридиан",
            "Полюс",
            "Берёзка",
            "Импульс",
            "Кристалл",
            "Стройдом",
            "Техно",
        ],
    ),
    "en": (
        ["Ltd", "LLC", "Inc", "plc"],
        [
            "Daisy",
            "Vector",
            "Alpha",
            "North",
            "Granite",
            "Lotus",
            "Orion",
            "Spectrum",
            "Meridian",
            "Pole",
            "Birch",
            "Impulse",
            "Crystal",
            "Builder",
            "Techno",
        ],
    ),
}
PRODUCTS = {"ru": ["Доставка", "Склад", "Упаковка"], "en": ["Delivery", "Storage", "Packaging"]}
SOURCES = {
    "ru": ["Сайт", "Звонок", "Выставка", "Рекомендация"],
    "en": ["Website", "Call", "Trade show", "Referral"],
}
REASONS = {
    "ru": [
        "Дорого",
        "дорого ",
        "Выбрали конкурента",
        "Нет потребности",
        "Нет бюджета",
        "Не дозвонились",
    ],
    "en": [
        "Too expensive",
        "too  expensive",
        "Chose a competitor",
        "No need",
        "No budget",
        "Not reachable",
    ],
}
COMMENTS = {
    "ru": [
        "Обещали перезвонить",
        "Отправить КП",
        "Ждут счёт",
        "Согласовать скидку",
        "Перезвонить после отпуска",
        "",
    ],
    "en": [
        "Promised to call back",
        "Send the offer",
        "Waiting for the invoice",
        "Agree the discount",
        "Call after holiday",
        "",
    ],
}


def _phone(rng: random.Random) -> tuple[str, str]:
    """A phone written the way people write it, and its digits."""
    code, a, b, c = (
        rng.randint(900, 999),
        rng.randint(100, 999),
        rng.randint(10, 99),
        rng.randint(10, 99),
    )
    forms = [
        f"8 ({code}) {a}-{b}-{c}",
        f"+7 {code} {a}-{b}-{c}",
        f"8{code}{a}{b}{c}",
        f"+7({code}){a}{b}{c}",
    ]
    return rng.choice(forms), f"{code}{a}{b}{c}"


def make_rows(
    n: int, lang: str, today: date, seed: int = 7, broken: bool = True
) -> tuple[list[list[Any]], list[list[Any]]]:
    """(client rows, manager rows) in the standard column order."""
    rng = random.Random(seed)
    labels = {s: STATUS_LABELS[lang][s][0] for s in STATUS_LABELS[lang]}
    people = MANAGERS[lang]
    yes, no = ("Да", "Нет") if lang == "ru" else ("Yes", "No")
    managers = [
        [name, f"{i + 1}@sales.example", no if i == LEFT else yes, city, "", "", ""]
        for i, (name, city) in enumerate(people)
    ]
    forms, words = _WORDS[lang]
    rows = []
    for i in range(n):
        manager, city = rng.choice(people)
        status = rng.choices(
            ["new", "in_progress", "postponed", "won", "refused"], [15, 45, 10, 12, 18]
        )[0]
        created = today - timedelta(days=rng.randint(30, 300))
        # most open clients were called lately; one in ten has been left to go cold
        last = today - timedelta(
            days=rng.randint(1, 25) if rng.random() < 0.9 else rng.randint(31, 90)
        )
        nxt: Any = ""
        if status not in ("won", "refused"):
            # about one promise in six is already late, one in eight is due today
            offset = 0 if rng.random() < 0.12 else rng.choice([*range(-9, 0), *range(1, 40)])
            nxt = today + timedelta(days=offset)
            if rng.random() < 0.25:
                nxt = datetime.combine(nxt, time(rng.randint(9, 18), rng.choice([0, 30])))
        phone, _ = _phone(rng)
        reason = rng.choice(REASONS[lang]) if status == "refused" else ""
        name = (
            f"{rng.choice(forms)} «{rng.choice(words)}-{i + 1}»"
            if lang == "ru"
            else f"{rng.choice(words)}-{i + 1} {rng.choice(forms)}"
        )
        rows.append(
            [
                "",
                name,
                phone,
                f"client{i + 1}@mail.example" if rng.random() < 0.6 else "",
                manager,
                labels[status],
                nxt,
                last,
                created,
                reason,
                city,
                rng.choice(PRODUCTS[lang]),
                rng.choice(SOURCES[lang]),
                rng.randrange(10_000, 900_000, 5_000),
                rng.choice(COMMENTS[lang]),
                "",
            ]
        )
    if broken and n >= 20:
        _break(rows, rng, lang, labels, today)
    return rows, managers


def _break(
    rows: list[list[Any]], rng: random.Random, lang: str, labels: dict[str, str], today: date
) -> None:
    """The share of mistakes a real team's sheet has (about 5% of rows)."""
    col = {f.name: i for i, f in enumerate(CLIENT_FIELDS)}
    picks = rng.sample(range(len(rows)), max(8, len(rows) // 20))
    for k, r in enumerate(picks):
        row = rows[r]
        kind = k % 6
        if kind == 0:  # a date nobody can read
            row[col["next_contact"]] = rng.choice(
                ["32.13.2026", "завтра" if lang == "ru" else "tomorrow", "31.02.2026"]
            )
            row[col["status"]] = labels["in_progress"]
        elif kind == 1:  # refused, reason never written down
            row[col["status"]], row[col["refusal_reason"]], row[col["next_contact"]] = (
                labels["refused"],
                "",
                "",
            )
        elif kind == 2:  # a manager who is not on the roster
            row[col["manager"]] = "Пётр Новиков" if lang == "ru" else "Peter Newman"
            row[col["status"]], row[col["refusal_reason"]] = labels["in_progress"], ""
            row[col["next_contact"]] = today + timedelta(days=2)
        elif kind == 3:  # the same client entered twice, phone written differently
            other = rows[(r + 1) % len(rows)]
            digits = "".join(ch for ch in str(other[col["phone"]]) if ch.isdigit())[-10:]
            row[col["phone"]] = f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}"
        elif kind == 4:  # open, but no next contact date: a promise lost
            row[col["status"]], row[col["next_contact"]], row[col["refusal_reason"]] = (
                labels["in_progress"],
                "",
                "",
            )
        else:  # a date typed as text, the Russian way
            if row[col["next_contact"]]:
                d = row[col["next_contact"]]
                row[col["next_contact"]] = (d.date() if isinstance(d, datetime) else d).strftime(
                    "%d.%m.%Y"
                )


def write_workbook(path: Path, rows: list[list[Any]], managers: list[list[Any]], lang: str) -> None:
    from sheetcrm.newbook import build_workbook

    cfg = Config(language=lang)  # type: ignore[arg-type]
    if len(rows) <= 20000:
        wb = build_workbook(cfg, lang, rows, managers)
        wb.properties.title = DEMO_TITLE
        wb.save(path)
        return
    # Large benchmark books: openpyxl's write-only mode keeps memory flat.
    from openpyxl import Workbook

    from sheetcrm.schema import MANAGER_FIELDS
    from sheetcrm.xlsxcells import DATE_FORMAT

    wb = Workbook(write_only=True)
    wb.properties.title = DEMO_TITLE
    ws = wb.create_sheet(cfg.tab("clients"))
    ws.append([f.header(lang) for f in CLIENT_FIELDS])
    from openpyxl.cell import WriteOnlyCell

    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        ws.append(cells)
    mws = wb.create_sheet(cfg.tab("managers"))
    mws.append([f.header(lang) for f in MANAGER_FIELDS])
    for m in managers:
        mws.append(m)
    wb.save(path)


def is_demo_workbook(path: Path) -> bool:
    """Whether `path` is a workbook `demo` made (its document title says so)."""
    import zipfile
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(path) as z:
            core = ElementTree.fromstring(z.read("docProps/core.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return False
    return core.findtext("{http://purl.org/dc/elements/1.1/}title") == DEMO_TITLE


def run_demo(directory: Path, n: int, lang: str, today: date, by: str, out: IO[str]) -> Path:
    from sheetcrm.engine.agenda import agenda
    from sheetcrm.engine.refusals import summarize
    from sheetcrm.i18n import MESSAGES, t
    from sheetcrm.listings import today_listing
    from sheetcrm.render import render
    from sheetcrm.sync import describe, sync
    from sheetcrm.workspace import load

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ("crm.xlsx" if lang == "en" else "клиенты.xlsx")
    if path.exists() and not is_demo_workbook(path):
        raise SourceError(
            f"{path} already exists and is not a demo workbook; "
            "give the demo a folder of its own: sheetcrm demo DIR"
        )
    cfg = Config(language=lang, backups=2)  # type: ignore[arg-type]
    kept = None
    if path.exists():  # an earlier demo, perhaps open and edited: as `init --force` does
        safety.ensure_not_open(path, path.resolve())
        kept = safety.backup(path, cfg.backups)
    rows, managers = make_rows(n, lang, today)
    write_workbook(path, rows, managers, lang)
    out.write(t(lang, "demo_workbook", path=path, n=n, m=len(managers)) + "\n")
    if kept:
        out.write(t(lang, "demo_kept", path=kept) + "\n")
    out.write("\n")
    ws = load(cfg, str(path), today)
    result = sync(ws, f"{today:%Y-%m-%d} 08:00:00", by, history=False)  # a one-off sample
    out.write(describe(result, path.name, dry_run=False, lang=lang) + "\n\n")

    ws = load(cfg, str(path), today)  # what the team sees now
    found = ws.findings()
    out.write(t(lang, "demo_attention", date=f"{today:%d.%m.%Y}") + "\n")
    counts: dict[str, int] = {}
    for f in found:
        if f.for_problems:
            counts[f.code] = counts.get(f.code, 0) + 1
    for code, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        label = t(lang, f"group_{code}") if f"group_{code}" in MESSAGES else t(lang, code)
        out.write(f"  {count:4d}  {label}\n")
    errors = sum(f.severity == "error" and f.for_check for f in found)
    out.write(f"  {errors:4d}  {t(lang, 'demo_errors', path=path)}\n\n")

    decks = agenda(ws.table, ws.roster, ws.today)
    out.write(t(lang, "demo_lists") + "\n")
    render(today_listing({m: cards[:3] for m, cards in decks.items()}, cfg), "text", out)
    for m, cards in decks.items():
        late = sum(c.days_overdue > 0 for c in cards)
        out.write(
            "  "
            + t(lang, "demo_deck", manager=m or t(lang, "nobody"), n=len(cards), late=late)
            + "\n"
        )
    summary = summarize(ws.table.clients, cfg.reasons())
    out.write("\n" + t(lang, "demo_refusals") + "\n")
    for r in summary.rows:
        out.write(f"  {r.count:4d}  {r.share:5.1%}  {r.reason or t(lang, 'no_reason')}\n")
    out.write("\n" + t(lang, "demo_open", path=path) + "\n")
    return path
