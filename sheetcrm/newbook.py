"""`init`: a new workbook with the standard tabs, drop-downs and formatting."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sheetcrm.backends import safety
from sheetcrm.config import Config
from sheetcrm.errors import SourceError
from sheetcrm.schema import CLIENT_FIELDS, MANAGER_FIELDS, STATUSES
from sheetcrm.xlsxcells import DATE_FORMAT, fill_sheet

MAX_ROWS = 5000  # how far drop-downs and highlighting reach in a new workbook
YES_NO = {"ru": ("Да", "Нет"), "en": ("Yes", "No")}


def _tab(cfg: Config, key: str, lang: str) -> str:
    from sheetcrm.config import TAB_DEFAULTS

    configured = getattr(cfg.tabs, key)
    return configured or TAB_DEFAULTS[key][1 if lang == "ru" else 0]


def _quoted(tab: str) -> str:
    return "'" + tab.replace("'", "''") + "'"


def _examples(lang: str, today: date) -> tuple[list[list[Any]], list[list[Any]]]:
    d = timedelta
    if lang == "ru":
        managers = [
            ["Ольга Петрова", "olga@example.com", "Да", "Москва", "", "", ""],
            ["Иван Смирнов", "ivan@example.com", "Да", "Санкт-Петербург", "", "", ""],
        ]
        clients = [
            [
                "",
                "ООО «Ромашка»",
                "8 (912) 345-67-89",
                "info@romashka.ru",
                "Ольга Петрова",
                "В работе",
                today - d(2),
                today - d(9),
                today - d(30),
                "",
                "Москва",
                "Доставка",
                "Сайт",
                120000,
                "Обещали перезвонить после совещания",
                "",
            ],
            [
                "",
                "ИП Кузнецов",
                "+7 921 555-12-34",
                "",
                "Иван Смирнов",
                "Новый",
                today,
                "",
                today - d(1),
                "",
                "Санкт-Петербург",
                "Доставка",
                "Звонок",
                45000,
                "Отправить КП",
                "",
            ],
            [
                "",
                "АО «Вектор»",
                "9161234567",
                "zakupki@vector.ru",
                "Ольга Петрова",
                "Отказ",
                "",
                today - d(5),
                today - d(60),
                "Дорого",
                "Москва",
                "Склад",
                "Выставка",
                300000,
                "",
                "",
            ],
        ]
    else:
        managers = [
            ["Olga Petrova", "olga@example.com", "Yes", "Moscow", "", "", ""],
            ["Ivan Smirnov", "ivan@example.com", "Yes", "Saint Petersburg", "", "", ""],
        ]
        clients = [
            [
                "",
                "Daisy Ltd",
                "+7 912 345-67-89",
                "info@daisy.example",
                "Olga Petrova",
                "In progress",
                today - d(2),
                today - d(9),
                today - d(30),
                "",
                "Moscow",
                "Delivery",
                "Website",
                120000,
                "Promised to call back after their meeting",
                "",
            ],
            [
                "",
                "Kuznetsov & Sons",
                "+7 921 555-12-34",
                "",
                "Ivan Smirnov",
                "New",
                today,
                "",
                today - d(1),
                "",
                "Saint Petersburg",
                "Delivery",
                "Call",
                45000,
                "Send the offer",
                "",
            ],
            [
                "",
                "Vector plc",
                "+7 916 123-45-67",
                "buying@vector.example",
                "Olga Petrova",
                "Refused",
                "",
                today - d(5),
                today - d(60),
                "Too expensive",
                "Moscow",
                "Storage",
                "Trade show",
                300000,
                "",
                "",
            ],
        ]
    return managers, clients


def build_workbook(
    cfg: Config, lang: str, clients: list[list[Any]] = (), managers: list[list[Any]] = ()
) -> Any:  # type: ignore[assignment]
    """An openpyxl workbook with the standard layout, optionally pre-filled."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = _tab(cfg, "clients", lang)
    mtab = _tab(cfg, "managers", lang)
    headers = [cfg.columns.get(f.name) or f.header(lang) for f in CLIENT_FIELDS]
    fill_sheet(ws, [headers, *clients])
    col = {f.name: get_column_letter(i + 1) for i, f in enumerate(CLIENT_FIELDS)}
    last = get_column_letter(len(CLIENT_FIELDS))
    end = max(MAX_ROWS, len(clients) + 1)

    labels = [cfg.status_label(s) for s in STATUSES]
    if lang != cfg.language and not cfg.statuses:
        from sheetcrm.schema import STATUS_LABELS

        labels = [STATUS_LABELS[lang][s][0] for s in STATUSES]
    status = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
    status.add(f"{col['status']}2:{col['status']}{end}")
    manager = DataValidation(type="list", formula1=f"{_quoted(mtab)}!$A$2:$A$500", allow_blank=True)
    manager.add(f"{col['manager']}2:{col['manager']}{end}")
    ws.add_data_validation(status)
    ws.add_data_validation(manager)
    from sheetcrm.schema import DEFAULT_REFUSAL_REASONS

    reasons = cfg.refusal_reasons or list(DEFAULT_REFUSAL_REASONS[lang])
    inline = '"' + ",".join(r.replace('"', "") for r in reasons) + '"'
    if len(inline) <= 255 and "," not in "".join(reasons):  # Excel's limit for an inline list
        reason = DataValidation(type="list", formula1=inline, allow_blank=True)
        reason.add(f"{col['refusal_reason']}2:{col['refusal_reason']}{end}")
        ws.add_data_validation(reason)

    for name in ("next_contact", "last_contact", "created"):
        ws.column_dimensions[col[name]].number_format = DATE_FORMAT
        ws.column_dimensions[col[name]].width = 14
        for r in range(2, len(clients) + 2):
            ws[f"{col[name]}{r}"].number_format = DATE_FORMAT
    won, refused = labels[STATUSES.index("won")], labels[STATUSES.index("refused")]
    nc, st = col["next_contact"], col["status"]
    overdue = f'AND(ISNUMBER(${nc}2),${nc}2<TODAY(),${st}2<>"{won}",${st}2<>"{refused}")'
    ws.conditional_formatting.add(
        f"A2:{last}{end}",
        FormulaRule(formula=[overdue], fill=PatternFill("solid", start_color="FFF4CCCC")),
    )
    ws.auto_filter.ref = f"A1:{last}{max(len(clients) + 1, 2)}"

    mws = wb.create_sheet(mtab)
    fill_sheet(mws, [[f.header(lang) for f in MANAGER_FIELDS], *managers])
    yes_no = DataValidation(
        type="list", formula1='"' + ",".join(YES_NO[lang]) + '"', allow_blank=True
    )
    yes_no.add("C2:C500")
    mws.add_data_validation(yes_no)
    return wb


def create_workbook(
    path: Path,
    cfg: Config,
    lang: str,
    example: bool = False,
    force: bool = False,
    today: date | None = None,
) -> Path | None:
    """Write the new workbook; with `force`, over an existing one that is not open, whose
    copy is kept among the backups (returned)."""
    if path.suffix.lower() != ".xlsx":  # Excel refuses an .xlsm without macros
        raise SourceError(f"{path}: the new workbook's name must end in .xlsx (it holds no macros)")
    if path.exists() and not force:
        raise SourceError(
            f"{path} already exists; choose another name or pass --force to overwrite it"
        )
    managers, clients = _examples(lang, today or date.today()) if example else ([], [])
    wb = build_workbook(cfg, lang, clients, managers)
    kept = None
    if path.exists():
        safety.ensure_not_open(path, path.resolve())
        kept = safety.backup(path, cfg.backups)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
    except OSError as exc:
        raise SourceError(f"{path}: cannot write it ({exc.strerror})") from None
    return kept
