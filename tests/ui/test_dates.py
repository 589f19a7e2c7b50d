"""One date format everywhere, from the clinic's locale; times on the clinic's clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from consult.errors import InvalidField
from ui.widgets import dates


@pytest.mark.parametrize(
    ("locale", "shown"),
    [("en_US", "6/30/1992"), ("en_GB", "30/06/1992"), ("de_DE", "30.06.1992"),
     ("nl_NL", "30-06-1992"), ("fr_FR", "30/06/1992")],
)
def test_dates_follow_the_clinic_locale_with_a_four_digit_year(locale, shown):
    dates.use_clinic(locale)
    assert dates.show_date(date(1992, 6, 30)) == shown
    assert dates.parse_date(shown, "date_of_birth") == date(1992, 6, 30)
    assert dates.parse_date("1992-06-30", "date_of_birth") == date(1992, 6, 30)  # ISO always
    assert "yyyy" in dates.date_format()


def test_a_date_in_another_order_is_refused_naming_the_field():
    dates.use_clinic("en_GB")
    with pytest.raises(InvalidField, match=r"^date_of_birth: .*DD/MM/YYYY, e\.g\. 30/06/1992"):
        dates.parse_date("06/30/1992", "date_of_birth")
    with pytest.raises(InvalidField, match="is required"):
        dates.parse_date(" ", "date_of_birth", required=True)


def test_times_are_on_the_clinic_clock_never_utc():
    moment = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)
    dates.use_clinic("en_GB", "Europe/London")  # summer time: one hour ahead of UTC
    assert dates.show_datetime(moment) == "01/07/2026 23:30"
    dates.use_clinic("de_DE", "Europe/Berlin")
    assert dates.show_datetime(moment) == "02.07.2026 00:30"  # the clinic's date, too
    assert dates.show_date(moment) == "02.07.2026"
    assert dates.now().utcoffset() is not None
    dates.use_clinic("en_GB", "America/Sao_Paulo")
    assert dates.show_time(moment, seconds=True) == "19:30:00"
