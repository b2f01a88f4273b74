"""Cell parsers: dates in every form a sheet holds them, numbers, phones; and
property tests that no cell value, however odd, makes them raise anything
but ValueError."""

from __future__ import annotations

import math
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetcrm.values import (
    CellError,
    normalize_email,
    normalize_emails,
    normalize_phone,
    parse_date,
    parse_number,
    text,
)

# 23.11.2026 as an Excel serial number, counted by hand: 44927 is 01.01.2023,
# then 365 + 366 + 365 days to 01.01.2026 (46023), then 326 days into the year.
SERIAL_2026_11_23 = 46349
SYSTEMS_APART = 1462  # days between 30.12.1899 and 01.01.1904 (the 1904 system's day 0)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 23)),
        (datetime(2026, 11, 23), date(2026, 11, 23)),  # a date cell read as midnight
        (datetime(2026, 11, 23, 14, 30), datetime(2026, 11, 23, 14, 30)),
        ("23.11.2026", date(2026, 11, 23)),
        ("23.11.26", date(2026, 11, 23)),
        ("01.01.29", date(2029, 1, 1)),  # two-digit years as Excel reads them typed in a cell
        ("15.03.85", date(1985, 3, 15)),
        ("31.12.30", date(1930, 12, 31)),
        ("2026-11-23", date(2026, 11, 23)),
        ("23/11/2026", date(2026, 11, 23)),
        ("23-11-2026", date(2026, 11, 23)),
        ("3.1.2027", date(2027, 1, 3)),  # day first, without leading zeros
        ("23.11.2026 14:30", datetime(2026, 11, 23, 14, 30)),
        ("23.11.2026 9.05", datetime(2026, 11, 23, 9, 5)),
        ("2026-11-23 14:30:15", datetime(2026, 11, 23, 14, 30, 15)),
        ("2026-11-23T14:30", datetime(2026, 11, 23, 14, 30)),
        ("23.11.2026 г.", date(2026, 11, 23)),
        ("  23.11.2026  ", date(2026, 11, 23)),
        ("\u00a023.11.2026 14:30\u00a0", datetime(2026, 11, 23, 14, 30)),
        ("23.11.2026\u00a014:30", datetime(2026, 11, 23, 14, 30)),  # any space before the time
        ("23.11.2026\t14:30", datetime(2026, 11, 23, 14, 30)),
        ("23.11.2026 \u202f 14:30", datetime(2026, 11, 23, 14, 30)),
        ("23\u00a0ноября\u00a02026", date(2026, 11, 23)),
        ("\u200b23.11.2026\ufeff", date(2026, 11, 23)),  # marks the sheet does not show
        # the month in words, as people type a date in a Russian (or English) sheet
        ("23 ноября 2026", date(2026, 11, 23)),
        ("23 ноября 2026 г.", date(2026, 11, 23)),
        ("23 ноября 2026 года", date(2026, 11, 23)),
        ("1 дек. 2026", date(2026, 12, 1)),
        ("1 ДЕК 2026", date(2026, 12, 1)),
        ("23 Ноября 2026", date(2026, 11, 23)),
        ("2 мая 2027 14:30", datetime(2027, 5, 2, 14, 30)),
        ("23 November 2026", date(2026, 11, 23)),
        ("Nov 23, 2026", date(2026, 11, 23)),
        ("Sept. 3rd, 2026", date(2026, 9, 3)),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_date_forms(cell, expected):
    assert parse_date(cell) == expected


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (SERIAL_2026_11_23, date(2026, 11, 23)),
        (float(SERIAL_2026_11_23), date(2026, 11, 23)),  # calamine gives whole numbers as floats
        (SERIAL_2026_11_23 + 0.5, datetime(2026, 11, 23, 12, 0)),
        (SERIAL_2026_11_23 + 0.75, datetime(2026, 11, 23, 18, 0)),
        (SERIAL_2026_11_23 + 14.5 / 24, datetime(2026, 11, 23, 14, 30)),
        (str(SERIAL_2026_11_23), date(2026, 11, 23)),  # a serial kept as text
        # Excel's 1900 leap-year bug: 29.02.1900 is serial 60, so 1.03.1900 is 61
        # and everything before it is one day later than a plain count.
        (61, date(1900, 3, 1)),
        (59, date(1900, 2, 28)),
        (1, date(1900, 1, 1)),
        (2958465, date(9999, 12, 31)),
    ],
)
def test_excel_serials_in_the_1900_system(serial, expected):
    assert parse_date(serial) == expected


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (SERIAL_2026_11_23 - SYSTEMS_APART, date(2026, 11, 23)),
        (SERIAL_2026_11_23 - SYSTEMS_APART + 0.5, datetime(2026, 11, 23, 12, 0)),
        (0, date(1904, 1, 1)),
        (1462, date(1908, 1, 2)),
    ],
)
def test_excel_serials_in_the_1904_system(serial, expected):
    assert parse_date(serial, date1904=True) == expected


def test_serial_60_is_the_day_that_never_was():
    with pytest.raises(ValueError, match="29.02.1900"):
        parse_date(60)


def test_a_time_part_rounds_to_the_second():
    # 14:30 is 0.6041666… of a day; the float cannot hold it exactly
    assert parse_date(SERIAL_2026_11_23 + 0.604166666) == datetime(2026, 11, 23, 14, 30)
    # a hair before midnight is midnight of the next day, not 23:59:59.99
    assert parse_date(SERIAL_2026_11_23 + 0.99999999) == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("31.02.2026", "'31.02.2026' is not a real date"),
        ("13/13/2026", "'13/13/2026' is not a real date"),
        ("23.11.2026 25:00", "'23.11.2026 25:00' is not a real date"),
        ("завтра", "'завтра' is not a date"),
        ("11/23/2026", "'11/23/2026' is not a real date"),  # month first is not read as a date
        ("23 ноября", "'23 ноября' has no year"),
        ("Nov 23", "'Nov 23' has no year"),
        ("31 ноября 2026", "'31 ноября 2026' is not a real date"),
        ("23 штук 2026", "'23 штук 2026' is not a date"),
        ("завтра\u00a0утром", "'завтра утром' is not a date"),  # no escape such as \xa0
        ("31.02.2026\t10:00", "'31.02.2026 10:00' is not a real date"),
        ("\u200bзавтра", "'завтра' is not a date"),
        (True, "TRUE is not a date"),
        (time(14, 30), "holds only a time, no date"),
        (0, "0 is not a date serial number"),
        (-5, "-5 is not a date serial number"),
        (math.nan, "nan is not a date serial number"),
        (math.inf, "inf is not a date serial number"),
        (1e12, "is not a date serial number"),
    ],
)
def test_what_is_not_a_date_is_a_value_error_saying_so(cell, message):
    with pytest.raises(ValueError) as caught:
        parse_date(cell)
    assert message in str(caught.value)


def test_the_last_day_fits_in_both_systems_and_the_next_does_not():
    assert parse_date(2958465 - SYSTEMS_APART, date1904=True) == date(9999, 12, 31)
    for serial, system in (
        (2958466, False),
        (2958465 - SYSTEMS_APART + 1, True),
        (2958465.9999999, False),
    ):
        with pytest.raises(ValueError, match="not a date serial number"):
            parse_date(serial, date1904=system)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (150000, 150000.0),
        (1500.5, 1500.5),
        ("150 000", 150000.0),
        ("1 500,50 ₽", 1500.5),
        ("$1,500.50", 1500.5),
        ("150\u00a0000 руб.", 150000.0),
        ("-20", -20.0),
        ("", None),
        (None, None),
    ],
)
def test_numbers_as_people_type_them(cell, expected):
    assert parse_number(cell) == expected


@pytest.mark.parametrize("cell", ["дорого", "1e400", "nan", math.nan, math.inf, True, 10**400])
def test_what_is_not_a_number_is_a_value_error(cell):
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(cell)


@pytest.mark.parametrize(
    "cell",
    [
        "+7 912 345-67-89",
        "8 (912) 3456789",
        "89123456789",
        "8-912-345-67-89",
        "9123456789",
        "+7(912)345 67 89",
        89123456789.0,  # typed as a number: the reader gives a float
        89123456789,
        9123456789.0,
        "+7 912 345 67 89 (Ольга)",  # whose number it is, after the number
        "+7 912 345 67 89 — бухгалтерия",
        "+79123456789 - Olga",
    ],
)
def test_spellings_of_one_phone_normalise_alike(cell):
    assert normalize_phone(cell) == "+79123456789"


def test_a_foreign_phone_keeps_its_country():
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"
    assert normalize_phone("020 7946 0958", region="GB") == "+442079460958"


@pytest.mark.parametrize(
    "cell", ["не знаю", "12", "", "+7 912", math.nan, "+7 912 (Ольга)", "+7 912 345 67 89 Ольга"]
)
def test_what_is_not_a_phone_is_a_value_error(cell):
    with pytest.raises(ValueError):
        normalize_phone(cell)


def test_a_message_shows_a_non_breaking_space_as_a_space():
    with pytest.raises(ValueError) as caught:
        normalize_email("olga\u00a0@x.ru")
    assert str(caught.value) == "'olga @x.ru' is not an e-mail address"


@pytest.mark.parametrize(
    "cell",
    ["a@x.ru, B@y.ru", "a@x.ru;b@y.ru", "a@x.ru b@y.ru", "a@x.ru,\n b@y.ru", "a@x.ru; ; b@y.ru"],
)
def test_several_emails_in_a_cell_are_each_normalised(cell):
    assert normalize_emails(cell) == ["a@x.ru", "b@y.ru"]
    assert normalize_emails(" A@x.ru ") == ["a@x.ru"]


@pytest.mark.parametrize("cell", ["a@x.ru, нет", "a@x.ru и b@y.ru", "нет"])
def test_a_cell_with_anything_but_emails_is_not_an_email(cell):
    with pytest.raises(ValueError, match="is not an e-mail address"):
        normalize_emails(cell)


def test_emails_compare_without_case_and_mailto():
    assert normalize_email("  Olga.Petrova@Example.COM ") == "olga.petrova@example.com"
    assert normalize_email("mailto:olga@example.com") == "olga@example.com"
    assert normalize_email("<olga@example.com>") == "olga@example.com"
    assert normalize_email("Ольга Петрова <Olga@example.com>") == "olga@example.com"
    for cell in ("Ольга <olga@example.com> и ещё", "Ольга <нет>", "Ольга"):
        with pytest.raises(ValueError, match="not an e-mail address"):
            normalize_email(cell)
    with pytest.raises(ValueError, match="not an e-mail address"):
        normalize_email("olga at example.com")


def test_an_id_read_as_text_keeps_its_leading_zeros():
    assert text("00123") == "00123"
    assert text(" 00123 ") == "00123"
    assert text(123.0) == "123"  # an id typed as a number loses no digits either


# -- property tests: any cell value --------------------------------------------

CELLS = st.one_of(
    st.none(),
    st.just(""),
    st.text(),  # unicode, control characters, surrogates excluded by default
    st.text(alphabet="0123456789./-: ,+()гT"),  # near misses of dates, numbers and phones
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)
PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(CELLS, st.booleans())
def test_parse_date_gives_a_date_or_a_value_error(cell, date1904):
    try:
        result = parse_date(cell, date1904)
    except ValueError as exc:
        assert str(exc)
    else:
        assert result is None or isinstance(result, date)


@PROPERTY
@given(CELLS)
def test_parse_number_gives_a_finite_number_or_a_value_error(cell):
    try:
        result = parse_number(cell)
    except ValueError as exc:
        assert str(exc)
    else:
        assert result is None or math.isfinite(result)


@PROPERTY
@given(CELLS, st.sampled_from(["RU", "GB", "US", "KZ"]))
def test_normalize_phone_gives_e164_or_a_value_error(cell, region):
    try:
        result = normalize_phone(cell, region)
    except ValueError as exc:
        assert str(exc)
    else:
        assert result.startswith("+") and result[1:].isdigit()


@PROPERTY
@given(st.integers(min_value=9000000000, max_value=9999999999))
def test_a_russian_mobile_typed_as_a_number_is_the_same_phone_as_its_text(number):
    as_text = f"8 ({str(number)[:3]}) {str(number)[3:]}"
    assert normalize_phone(float(8 * 10**10 + number)) == normalize_phone(as_text) == f"+7{number}"


MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # timestamps as exports write them; a time zone is moved into the team's own
        ("2026-11-23T14:30:00Z", datetime(2026, 11, 23, 17, 30)),
        ("2026-11-23T14:30:00.000Z", datetime(2026, 11, 23, 17, 30)),
        ("2026-11-23 14:30:00+03:00", datetime(2026, 11, 23, 14, 30)),
        ("2026-11-23T22:30:00+0000", datetime(2026, 11, 24, 1, 30)),  # the next day in Moscow
        ("2026-11-23 14:30:00+03", datetime(2026, 11, 23, 14, 30)),
        ("23.11.2026 14:30 UTC", datetime(2026, 11, 23, 17, 30)),
        ("23.11.2026 14:30 МСК", datetime(2026, 11, 23, 14, 30)),
        ("23.11.2026 14:30:00.5", datetime(2026, 11, 23, 14, 30)),
        ("23.11.2026 в 14:30", datetime(2026, 11, 23, 14, 30)),
        ("23 ноября 2026 г. в 14:30", datetime(2026, 11, 23, 14, 30)),
        ("пн, 23.11.2026", date(2026, 11, 23)),
        ("Пн 23.11.2026 14:30", datetime(2026, 11, 23, 14, 30)),
        ("понедельник, 23 ноября 2026", date(2026, 11, 23)),
        ("Mon, Nov 23, 2026", date(2026, 11, 23)),
        ("23.11.2026 2:30 PM", datetime(2026, 11, 23, 14, 30)),
        ("23/11/2026 2:30 pm", datetime(2026, 11, 23, 14, 30)),
        ("23.11.2026 12:05 AM", datetime(2026, 11, 23, 0, 5)),
        ("23.11.2026 12:05 p.m.", datetime(2026, 11, 23, 12, 5)),
    ],
)
def test_timestamps_from_exports(cell, expected):
    assert parse_date(cell, zone=MOSCOW) == expected


def test_without_a_zone_a_timestamp_keeps_the_time_written():
    assert parse_date("2026-11-23T14:30:00Z") == datetime(2026, 11, 23, 14, 30)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("23.11.2026 14:30-15:00", "is not a date"),  # a slot, not a time zone
        ("вт, 23.11.2026", "the day of the week does not match the date"),  # a Monday
        ("Tue 23.11.2026 14:30", "the day of the week does not match the date"),
        ("вт, завтра", "is not a date"),
        ("23.11.2026 14:30 PM", "is not a real date"),
        ("23.11.2026 0:30 AM", "is not a real date"),
        ("2026-11-23T14:30:00+25:00", "is not a real date"),
    ],
)
def test_timestamps_that_are_not_clear(cell, message):
    with pytest.raises(ValueError) as caught:
        parse_date(cell, zone=MOSCOW)
    assert message in str(caught.value)


def test_a_weekday_that_does_not_match_says_so_in_russian():
    """It was told as "не дата", as if nothing in the cell read as a date."""
    with pytest.raises(CellError) as caught:
        parse_date("вт, 23.11.2026", zone=MOSCOW)
    assert caught.value.in_language("ru") == "'вт, 23.11.2026' — день недели не совпадает с датой"
