"""Cell value parsers. Each takes whatever a reader returned for a cell and
either gives a typed value or raises CellError (a ValueError) saying why not."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo

_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 0 in the 1900 system (and in Google Sheets)
_EXCEL_EPOCH_1904 = datetime(1904, 1, 1)
# The serial number of 31.12.9999, the last day Excel (and Python) can hold.
_LAST_SERIAL = (datetime(9999, 12, 31) - _EXCEL_EPOCH).days
_LAST_SERIAL_1904 = (datetime(9999, 12, 31) - _EXCEL_EPOCH_1904).days

# Day-first text forms a Russian or European sheet holds, then ISO; the time of day after
# them (group REST) is read by _CLOCK.
_REST = r"([\s,T].*)?$"
_NO_YEAR = re.compile(r"^\d{1,2}[./\-]\d{1,2}\.?$")
_DMY = re.compile(r"^(\d{1,2})[./\-](\d{1,2})[./\-](\d{2}|\d{4})(?:\s*г\.?)?" + _REST)
_YMD = re.compile(r"^(\d{4})[./\-](\d{1,2})[./\-](\d{1,2})" + _REST)
# A month written as a word: "23 ноября 2026 г.", "1 дек. 2026", "23 November 2026",
# "Nov 23, 2026"; without a year it is reported like "23.11".
_DAY_MONTH = re.compile(r"^(\d{1,2})\s+([^\W\d_]+)\.?,?\s+(\d{4})(?:\s*(?:г|года?)\.?)?" + _REST)
_MONTH_DAY = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _REST)
_WORD_NO_YEAR = re.compile(r"^(?:\d{1,2}\s+([^\W\d_]+)|([^\W\d_]+)\.?\s+\d{1,2})\.?$")
# The time: "14:30", "9.05", "в 14:30", "14:30:00.5" (the fraction dropped), "2:30 PM", and
# the zone an export adds ("Z", "+03:00", "UTC", "МСК").
_CLOCK = re.compile(
    r"(?:\s+(?:в|at)\s+|[\s,T]+)(\d{1,2})[:.](\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"(?:\s*([ap])\.?m\.?)?(?:\s*(z|utc|gmt|msk|мск|[+-]\d{2}(?::?\d{2})?))?\s*",
    re.IGNORECASE,
)
_ZONES = {"z": 0, "utc": 0, "gmt": 0, "msk": 3, "мск": 3}
# "пн, 23.11.2026", "Mon, Nov 23, 2026": the day of the week before the date
_WEEKDAY = re.compile(r"^([^\W\d_]+)\.?,?\s+(?=\S)")
_WEEKDAYS = {
    word: n
    for n, words in enumerate(
        (
            "пн понедельник mon monday",
            "вт вторник tue tues tuesday",
            "ср среда wed wednesday",
            "чт четверг thu thur thurs thursday",
            "пт пятница fri friday",
            "сб суббота sat saturday",
            "вс воскресенье sun sunday",
        )
    )
    for word in words.split()
}
_MONTHS = {
    word: n
    for n, words in enumerate(
        (
            "января январь янв january jan",
            "февраля февраль фев февр february feb",
            "марта март мар march mar",
            "апреля апрель апр april apr",
            "мая май may",
            "июня июнь июн june jun",
            "июля июль июл july jul",
            "августа август авг august aug",
            "сентября сентябрь сен сент september sep sept",
            "октября октябрь окт october oct",
            "ноября ноябрь ноя нояб november nov",
            "декабря декабрь дек december dec",
        ),
        start=1,
    )
    for word in words.split()
}

DateValue = date | datetime


class CellError(ValueError):
    """A cell that is not what its column holds. str() is the English message;
    `in_language` gives it in the sheet's language (messages live in i18n)."""

    def __init__(self, key: str, value: str = "") -> None:
        super().__init__(key, value)
        self.key = key
        self.value = value

    def in_language(self, lang: str) -> str:
        from sheetcrm.i18n import t

        return t(lang, f"cell_{self.key}", value=self.value)

    def __str__(self) -> str:
        return self.in_language("en")


# What a cell shows when its formula fails, in Excel and in Google Sheets.
FORMULA_ERRORS = frozenset(
    "#NULL! #DIV/0! #VALUE! #REF! #NAME? #NUM! #N/A #GETTING_DATA #SPILL! #CALC! #FIELD! "
    "#BLOCKED! #UNKNOWN! #CONNECT! #BUSY! #PYTHON! #ERROR!".split()
)


# Characters a sheet does not show (zero-width space, byte order mark, direction marks)
# that text copied from a web page or a messenger carries.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff]")


def as_seen(raw: str) -> str:
    """Text as the sheet shows it: every run of whitespace one space, invisible marks gone."""
    return " ".join(_INVISIBLE.sub("", raw).split())


def quoted(raw: str) -> str:
    """A cell's text in quotes for a message: a tab or a non-breaking space shows as the
    space it looks like in the sheet, not as an escape such as \\xa0."""
    return repr(as_seen(raw))


def not_a(key: str, raw: str) -> CellError:
    """Why a cell is not what its column holds; a failing formula says so first."""
    if raw.strip().upper() in FORMULA_ERRORS:
        return CellError("formula_error", raw.strip())
    return CellError(key, quoted(raw))


class Percent(float):
    """A share (0.5) that a sheet shows as a percentage (50.0%)."""

    __slots__ = ()


PERCENT_FORMAT = "0.0%"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def dmy(day: date) -> str:
    """DD.MM.YYYY with four digits of year even before the year 1000 (strftime writes
    the year 1 as "1")."""
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


def text(value: object) -> str:
    """Cell as text: whole-number floats lose their '.0', None is ''."""
    if type(value) is str:  # most cells: called millions of times on a big sheet
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return f"{dmy(value)} {value:%H:%M}" if value.time() != time() else dmy(value)
    if isinstance(value, date):
        return dmy(value)
    return str(value).strip()


def from_serial(serial: float, date1904: bool = False) -> DateValue:
    """An Excel serial number as a date, or a datetime when it has a time of day.

    The 1900 system counts 1900 as a leap year (a Lotus 1-2-3 legacy): serial 60
    is a 29.02.1900 that never was, and serials below it name the day after a
    plain count from 30.12.1899 would. The 1904 system counts from 01.01.1904.
    """
    if not math.isfinite(serial) or not 0 <= serial <= _LAST_SERIAL + 1:
        raise CellError("date_serial", text(serial))
    # whole seconds: the float's noise lies below them
    days, seconds = divmod(round(serial * 86400), 86400)
    if date1904:
        epoch, last = _EXCEL_EPOCH_1904, _LAST_SERIAL_1904
    else:
        if days == 0:
            raise CellError("date_serial", text(serial))
        if days == 60:
            raise CellError("date_phantom", text(serial))
        epoch = _EXCEL_EPOCH if days > 60 else _EXCEL_EPOCH + timedelta(days=1)
        last = _LAST_SERIAL
    if days > last:
        raise CellError("date_serial", text(serial))
    moment = epoch + timedelta(days=days, seconds=seconds)
    return moment if seconds else moment.date()


def _build(y: int, m: int, d: int, rest: str | None, zone: tzinfo | None) -> DateValue | None:
    """The day, with the time of day in REST if any; None when REST is not a time."""
    day = date(y, m, d)  # raises ValueError for 31.02
    if not rest:
        return day
    if not (c := _CLOCK.fullmatch(rest)):
        return None
    hour, minute, second, half, offset = c[1], c[2], c[3], c[4], c[5]
    hh = int(hour)
    if half:  # a 12-hour clock: 12:05 AM is 00:05, 2:30 PM is 14:30
        if not 1 <= hh <= 12:
            raise ValueError(hour)
        hh = hh % 12 + (12 if half.lower() == "p" else 0)
    moment = datetime.combine(day, time(hh, int(minute), int(second or 0)))
    if offset is None:
        return moment
    if offset[0] in "+-":
        if second is None:  # "14:30-15:00" is a slot; an export's offset follows seconds
            return None
        hours, minutes = int(offset[1:3]), int(offset[3:].lstrip(":") or 0)
        if hours > 14 or minutes > 59:
            raise ValueError(offset)
        shift = timedelta(hours=hours, minutes=minutes) * (-1 if offset[0] == "-" else 1)
    else:
        shift = timedelta(hours=_ZONES[offset.lower()])
    # into the team's time zone (as "today" is), then kept as a local time like any other
    aware = moment.replace(tzinfo=timezone(shift))
    return aware.astimezone(zone).replace(tzinfo=None) if zone else moment


def _century(yy: int) -> int:
    """A two-digit year as Excel reads one typed into a cell: 00-29 -> 2000s, 30-99 -> 1900s."""
    return 2000 + yy if yy < 30 else 1900 + yy


def parse_date(
    value: object, date1904: bool = False, zone: tzinfo | None = None
) -> DateValue | None:
    """A date cell, a serial number, or day-first / ISO text; None when blank. A time with
    a time zone is moved into `zone` (the team's); without `zone` it is kept as written."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value if value.time() != time() else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time):
        raise CellError("date_time_only")
    if isinstance(value, bool):
        raise CellError("date_not", text(value))
    if isinstance(value, int) and not 0 <= value <= _LAST_SERIAL:
        raise CellError("date_serial", str(value))  # too big even for a float
    if isinstance(value, int | float):
        return from_serial(float(value), date1904)
    s = as_seen(str(value))  # a tab or a non-breaking space before the time
    weekday = None
    if (w := _WEEKDAY.match(s)) and w[1].casefold() in _WEEKDAYS:
        weekday, s = _WEEKDAYS[w[1].casefold()], s[w.end() :]
    try:
        found = _text_date(s, zone)
    except ValueError:
        raise CellError("date_not_real", quoted(as_seen(str(value)))) from None
    if found is not None and (weekday is None or day_of(found).weekday() == weekday):
        return found
    if found is not None:  # "вт, 23.11.2026": 23.11.2026 is a Monday, which is meant?
        raise CellError("date_weekday", quoted(as_seen(str(value))))
    if weekday is not None:
        raise not_a("date_not", as_seen(str(value)))
    # "23.11", "23 ноября": a date typed without its year, not a serial number
    if _NO_YEAR.match(s) or (
        (m := _WORD_NO_YEAR.match(s)) and (m[1] or m[2]).casefold() in _MONTHS
    ):
        raise CellError("date_no_year", quoted(s))
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return from_serial(float(s), date1904)
    raise not_a("date_not", s)


def _text_date(s: str, zone: tzinfo | None) -> DateValue | None:
    if m := _DMY.match(s):
        d, mo, y = int(m[1]), int(m[2]), m[3]
        year = int(y) if len(y) == 4 else _century(int(y))
        return _build(year, mo, d, m[4], zone)
    if m := _YMD.match(s):
        return _build(int(m[1]), int(m[2]), int(m[3]), m[4], zone)
    if (m := _DAY_MONTH.match(s)) and (month := _MONTHS.get(m[2].casefold())):
        return _build(int(m[3]), month, int(m[1]), m[4], zone)
    if (m := _MONTH_DAY.match(s)) and (month := _MONTHS.get(m[1].casefold())):
        return _build(int(m[3]), month, int(m[2]), m[4], zone)
    return None


def day_of(value: DateValue) -> date:
    return value.date() if isinstance(value, datetime) else value


def parse_number(value: object) -> float | None:
    """Amounts as people type them: '150 000', '1 500,50 ₽', '$1,500.50'."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("number_not", text(value))
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an int beyond any float
            number = math.inf
        if not math.isfinite(number):
            raise CellError("number_not", text(value))
        return number
    s = re.sub(r"[\s\u00a0\u202f]|руб\.?|р\.|₽|\$|€|rub", "", str(value), flags=re.I)
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    s = s.replace(",", ".")
    try:
        number = float(s)
    except ValueError:
        raise not_a("number_not", text(value)) from None
    if not math.isfinite(number):
        raise not_a("number_not", text(value))
    return number


_PHONE_SEPARATORS = re.compile(r"[,;/\n]")


def normalize_phones(value: object, region: str = "RU") -> list[str]:
    """The E.164 form of each phone in a cell: one, or several written with commas,
    semicolons, slashes or on lines of their own ("8 912 345-67-89, 8 913 000-00-00")."""
    try:
        return [normalize_phone(value, region)]
    except ValueError:
        parts = [p for p in _PHONE_SEPARATORS.split(text(value)) if p.strip()]
        if len(parts) < 2:
            raise
    try:
        return [normalize_phone(p, region) for p in parts]
    except ValueError:
        raise not_a("phone_not", text(value)) from None


def normalize_phone(value: object, region: str = "RU") -> str:
    """E.164 form of a phone ('+79123456789'); raises ValueError when it is not one.

    A phone typed as a number (a float from the reader) is still a phone. A
    Russian '8' trunk prefix and a bare 10-digit number are read in `region`.
    """
    raw = text(value)
    # most phones end in a digit and have no note: no scan for one (100,000 rows a sync)
    number = raw if raw[-1:].isdigit() else _PHONE_NOTE.sub("", raw)
    digits = _NOT_DIGITS.sub("", number)
    if not digits:
        raise not_a("phone_no_digits", raw)
    candidate = number
    if region == "RU" and not number.lstrip().startswith("+"):
        if len(digits) == 11 and digits[0] in "78":
            candidate = "+7" + digits[1:]
        elif len(digits) < 11 and _RU_TRUNK.match(number):
            raise not_a("phone_not", raw)  # "8 (912) 345-67-8": the 8 is a prefix, a digit lost
        elif len(digits) == 10:
            candidate = "+7" + digits
            if digits[0] == "8" and not _valid(candidate):
                raise not_a("phone_not", raw)  # "8912345678": 8 and nine digits, not an 8xx code
    if _PLAIN_RU.match(candidate) and len(digits) in (10, 11):
        # +7 and ten digits is already E.164; the library would return it unchanged
        # at ~60 µs a call, which is most of the time of a 100,000-row sync.
        return "+7" + digits[-10:]
    import phonenumbers  # deferred: its import costs more than most commands need

    try:
        parsed = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        raise not_a("phone_not", raw) from None
    # a number without its area code ("345-67-89") is possible only locally: nobody can
    # call it from elsewhere, and it would match the same digits in another city
    possible = phonenumbers.is_possible_number_with_reason(parsed)
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise not_a("phone_not", raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _valid(e164: str) -> bool:
    import phonenumbers

    return phonenumbers.is_valid_number(phonenumbers.parse(e164))


_NOT_DIGITS = re.compile(r"\D")
# whose number it is, after the last digit: "+7 912 345 67 89 (Ольга)", "… — бухгалтерия";
# words only, so "(495)" or "доб. 12" stay part of the number
_PHONE_NOTE = re.compile(r"(?<=\d)\s*(?:\([^()\d]*[^\W\d_][^()\d]*\)|[-–—]\s*[^\W\d_]\D*)\s*$")
_RU_TRUNK = re.compile(r"^\s*8[\s\-.(]")  # the 8 apart from the rest: "8 (912)", "8-912"
_PLAIN_RU = re.compile(r"^\+7[\s\-()]*\d(?:[\s\-()]*\d){9}\s*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


_EMAIL_SEPARATORS = re.compile(r"[,;\s]+")


def normalize_emails(value: object) -> list[str]:
    """Each e-mail address in a cell, normalised: one, or several written with commas,
    semicolons or spaces between them ("a@x.ru, b@y.ru"), like phones."""
    try:
        return [normalize_email(value)]
    except ValueError:
        parts = [p for p in _EMAIL_SEPARATORS.split(_unnamed(text(value))) if p]
        if len(parts) < 2:
            raise
    try:
        return [normalize_email(p) for p in parts]
    except ValueError:
        raise not_a("email_not", text(value)) from None


# "Ольга <o@x.ru>", as a mail program writes an address: the address is in the angles
_NAMED = re.compile(r"[^,;<>]*<([^<>]*)>")


def _unnamed(raw: str) -> str:
    return _NAMED.sub(lambda m: m[1], raw) if "<" in raw else raw


def normalize_email(value: object) -> str:
    """An e-mail address casefolded, without "mailto:" or a name before it in angles."""
    raw = text(value)
    # a zero-width space pasted along is unseen, yet made the address another one
    seen = raw if raw.isascii() else _INVISIBLE.sub("", raw)
    s = _unnamed(seen).strip().strip("<>").casefold()
    if s.startswith("mailto:"):
        s = s[7:]
    if not _EMAIL.match(s):
        raise not_a("email_not", raw)
    return s
