"""Canonical fields, header aliases (en/ru) and the status vocabulary."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

_SPACES = re.compile(r"[\s_\-]+")


def fold(text: object) -> str:
    """Case-, space- and ё/е-insensitive key for matching headers and labels."""
    return _fold(text if type(text) is str else str(text))


@lru_cache(maxsize=65536)  # statuses and manager names repeat on every row of a big sheet
def _fold(text: str) -> str:
    # a dot abbreviates ("Тел.", "Эл. почта", "Дата след. контакта"): read it as a space
    s = text.replace("ё", "е").replace("Ё", "Е").replace(".", " ").casefold()
    s = s.strip().strip(":*").strip()
    return _SPACES.sub(" ", s)


def first_spelling() -> Callable[[str], str]:
    """A function giving each text as first seen among texts equal but for case, spaces
    and ё/е: "Москва" and "москва " are one city, "olga" and "Olga" one person."""
    seen: dict[str, str] = {}

    def spelled(text: str) -> str:
        return seen.setdefault(fold(text), text)

    return spelled


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, date, phone, email, number, status
    en: str  # header written by `init --lang en`
    ru: str  # header written by `init --lang ru`
    aliases: tuple[str, ...] = ()
    required: bool = False

    def header(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.en


CLIENT_FIELDS: tuple[Field, ...] = (
    # sheetcrm writes the id and flags columns: no alias a team's own column could bear
    # ("Код" of a tax number, "Проблемы" of notes)
    Field("id", "id", "ID", "ID", ("client id", "id клиента", "код клиента", "№ клиента")),
    Field(
        "client",
        "text",
        "Client",
        "Клиент",
        (
            "name",
            "company",
            "company name",
            "client name",
            "customer",
            "компания",
            "название",
            "организация",
            "наименование",
            "фио",
            "имя",
            "контрагент",
        ),
        required=True,
    ),
    Field(
        "phone",
        "phone",
        "Phone",
        "Телефон",
        ("tel", "telephone", "mobile", "phone number", "тел", "моб", "мобильный", "номер телефона"),
    ),
    Field(
        "email",
        "email",
        "Email",
        "Email",
        ("e-mail", "mail", "email address", "почта", "эл почта", "электронная почта", "е-mail"),
    ),
    Field(
        "manager",
        "text",
        "Manager",
        "Менеджер",
        ("owner", "responsible", "sales rep", "ответственный", "ответственный менеджер"),
    ),
    Field("status", "status", "Status", "Статус", ("stage", "стадия", "этап")),
    Field(
        "next_contact",
        "date",
        "Next contact",
        "Следующий контакт",
        (
            "next contact date",
            "next call",
            "follow up",
            "follow-up",
            "дата следующего контакта",
            "дата контакта",
            "след контакт",
            "дата след контакта",
            "следующий звонок",
            "дата следующего звонка",
            "след звонок",
            "дата след звонка",
            "дата перезвона",
            "когда связаться",
            "перезвонить",
        ),
    ),
    Field(
        "last_contact",
        "date",
        "Last contact",
        "Последний контакт",
        ("last contact date", "last call", "дата последнего контакта", "последний звонок"),
    ),
    Field(
        "created",
        "date",
        "Created",
        "Создан",
        ("created at", "date added", "added", "дата создания", "дата добавления", "добавлен"),
    ),
    Field(
        "refusal_reason",
        "text",
        "Refusal reason",
        "Причина отказа",
        ("reason", "loss reason", "lost reason", "причина"),
    ),
    Field("city", "text", "City", "Город", ("town", "region", "регион")),
    Field("product", "text", "Product", "Продукт", ("service", "товар", "услуга")),
    Field(
        "source", "text", "Source", "Источник", ("lead source", "channel", "канал", "источник лида")
    ),
    Field(
        "amount",
        "number",
        "Amount",
        "Сумма",
        ("deal value", "value", "deal amount", "сумма сделки", "бюджет"),
    ),
    Field(
        "comment",
        "text",
        "Comment",
        "Комментарий",
        ("comments", "notes", "note", "примечание", "заметки", "что обещали"),
    ),
    Field("flags", "text", "Flags", "Отметки", ("sheetcrm flags", "флаги", "отметки sheetcrm")),
)

MANAGER_FIELDS: tuple[Field, ...] = (
    Field("name", "text", "Name", "Имя", ("manager", "менеджер", "фио"), required=True),
    Field("email", "email", "Email", "Email", ("e-mail", "mail", "почта")),
    Field("active", "text", "Active", "Активен", ("works", "работает", "активный", "статус")),
    Field("cities", "text", "Cities", "Города", ("city", "город", "регионы")),
    Field("products", "text", "Products", "Продукты", ("product", "продукт")),
    Field("limit", "number", "Limit", "Лимит", ("max clients", "макс клиентов", "максимум")),
    Field("telegram", "text", "Telegram", "Telegram", ("telegram chat id", "chat id", "телеграм")),
)

OWNED_FIELDS = ("id", "flags")
DATE_FIELDS = tuple(f.name for f in CLIENT_FIELDS if f.kind == "date")

# Status vocabulary: canonical name -> default labels (first is written by init).
STATUSES = ("new", "in_progress", "postponed", "won", "refused")
CLOSED = frozenset({"won", "refused"})
STATUS_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "new": ("New",),
        "in_progress": ("In progress", "Working", "Active"),
        "postponed": ("Postponed", "On hold"),
        "won": ("Won", "Success", "Closed won", "Deal"),
        "refused": ("Refused", "Lost", "Closed lost", "Rejected"),
    },
    "ru": {
        "new": ("Новый", "Новая", "Новое"),
        "in_progress": ("В работе",),
        "postponed": ("Перенос", "Отложен", "Отложено", "Пауза"),
        "won": ("Успех", "Сделка", "Продажа", "Оплачено"),
        "refused": ("Отказ", "Отказался", "Слив"),
    },
}

DEFAULT_REFUSAL_REASONS: dict[str, tuple[str, ...]] = {
    "en": ("Too expensive", "Chose a competitor", "No need", "No budget", "Not reachable", "Other"),
    "ru": (
        "Дорого",
        "Выбрали конкурента",
        "Нет потребности",
        "Нет бюджета",
        "Не дозвонились",
        "Другое",
    ),
}

TRUE_WORDS = frozenset(
    fold(w) for w in ("yes", "y", "true", "1", "active", "да", "д", "активен", "работает", "+")
)
FALSE_WORDS = frozenset(
    fold(w)
    for w in (
        "no",
        "n",
        "false",
        "0",
        "inactive",
        "left",
        "нет",
        "н",
        "уволен",
        "уволена",
        "не работает",
        "неактивен",
        "неактивна",
        "fired",
        "dismissed",
        "former",
        "-",
        "✗",
        "✘",
        "❌",
    )
)
# a leaver is written many ways: "уволился", "уволилась", "не активна", "not active", "ушла",
# "в архиве", "в декрете" (away for months: her clients need someone). A bare "x" is as often
# a tick as a cross, so it is not one of them.
_LEAVER_PREFIXES = (
    *("не ", "уволил", "уволен", "left ", "not "),
    *("ушл", "ушел", "архив", "в архив", "декрет", "в декрет"),
)


def is_active(value: object) -> bool:
    """Whether an Active cell leaves the manager active (blank does)."""
    word = fold(value)
    return word not in FALSE_WORDS and not word.startswith(_LEAVER_PREFIXES)


# away for a while ("в отпуске до 07.12", "на больничном", "on leave"), or leaving soon
# ("увольняется", "уходит 30.11": two leaving at once): her clients stay hers until handed
# over, but a handover or a new lead given to her would wait, uncalled, or move twice
_LEAVING_PREFIXES = (
    "увольня",
    "уволится",
    "увольнен",
    "на увольнен",
    "уходит",
    "отработк",
    "leaving",
)
_AWAY_PREFIXES = (
    *("в отпуск", "отпуск", "на больничн", "больничн", "в командировк", "командировк"),
    *("on leave", "on vacation", "vacation", "on holiday", "holiday", "sick", "away"),
    *_LEAVING_PREFIXES,
)


def is_away(value: object) -> bool:
    """Whether an Active cell says the manager is away or leaving soon (and still active)."""
    return fold(value).startswith(_AWAY_PREFIXES)


def is_leaving(value: object) -> bool:
    """Whether an Active cell says the manager is leaving soon (rather than away a while)."""
    return fold(value).startswith(_LEAVING_PREFIXES)


def header_names(f: Field, overrides: dict[str, str] | None = None) -> set[str]:
    """The folded headers a column of field `f` may bear (only the configured one, if any)."""
    if overrides and f.name in overrides:
        return {fold(overrides[f.name])}
    return {fold(f.name), fold(f.en), fold(f.ru), *(fold(a) for a in f.aliases)}


def match_headers(
    headers: list[str], fields: tuple[Field, ...], overrides: dict[str, str] | None = None
) -> dict[str, int]:
    """Map canonical field names to column indexes by header text.

    `overrides` (from config.yaml) names the header for a field; it wins over
    the built-in aliases. The first column matching a field is taken.
    """
    folded = [fold(h) if h is not None else "" for h in headers]
    found: dict[str, int] = {}
    for f in fields:
        names = header_names(f, overrides)
        for i, h in enumerate(folded):
            if h and h in names and i not in found.values():
                found[f.name] = i
                break
    return found
