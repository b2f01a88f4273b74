from datetime import UTC, datetime

from sheetcrm.config import Config
from sheetcrm.workspace import today_in


def test_today_is_the_date_in_the_configured_time_zone():
    late_evening_utc = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)
    assert today_in(Config(timezone="Europe/Moscow"), late_evening_utc).isoformat() == "2026-11-24"
    assert today_in(Config(timezone="UTC"), late_evening_utc).isoformat() == "2026-11-23"
    assert (
        today_in(Config(timezone="America/New_York"), late_evening_utc).isoformat() == "2026-11-23"
    )
