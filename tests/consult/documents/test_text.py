"""Text helpers: escaping, dates and times as the documents print them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from consult.documents.text import bold, choice, day, esc, grouped_fingerprint, moment


def test_markup_is_escaped():
    assert esc("Zoë <b>O'Brien & Co</b>") == "Zoë &lt;b&gt;O'Brien &amp; Co&lt;/b&gt;"
    assert bold("a<b") == "<b>a&lt;b</b>"
    assert esc("line one\nline two") == "line one<br/>line two"


def test_dates_are_unambiguous():
    assert day(date(2026, 11, 5)) == "5 Nov 2026"
    assert day(date(2027, 1, 15)) == "15 Jan 2027"


@pytest.mark.parametrize(
    ("when", "shown"),
    [
        (datetime(2026, 11, 20, 14, 5, tzinfo=ZoneInfo("Europe/Berlin")), "14:05 CET (UTC+01:00)"),
        (datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("America/New_York")), "09:00 EDT (UTC-04:00)"),
        (datetime(2026, 11, 20, 14, 5, tzinfo=UTC), "14:05 UTC"),
        (
            datetime(2026, 11, 20, 14, 5, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "14:05 UTC+05:30",
        ),
    ],
)
def test_times_show_their_zone(when, shown):
    assert moment(when) == f"{day(when.date())}, {shown}"


def test_choice_boxes():
    assert choice(True) == "☒ Yes&nbsp;&nbsp;&nbsp;&nbsp;☐ No"
    assert choice(None) == "☐ Yes&nbsp;&nbsp;&nbsp;&nbsp;☐ No"


def test_a_zone_without_an_abbreviation_is_named_once():
    when = datetime(2026, 11, 20, 16, 5, tzinfo=ZoneInfo("Asia/Riyadh"))
    assert moment(when) == "20 Nov 2026, 16:05 UTC+03:00"


def test_a_fingerprint_is_grouped_for_reading():
    digest = "F4EE3715000A89FAC149230B963BBA03123FF91169DFE97BC0A90E17AFBB9CFB"
    assert grouped_fingerprint(digest) == (
        "F4EE 3715 000A 89FA C149 230B 963B BA03\n123F F911 69DF E97B C0A9 0E17 AFBB 9CFB"
    )
