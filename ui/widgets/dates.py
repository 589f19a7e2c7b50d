"""Dates and times as the clinic writes them: one format everywhere, the clinic's own clock.

The format comes from the clinic's locale through Qt's QLocale (its short numeric date,
with the year always in four digits: a date of birth in 1992 must never read "92"), so
every screen, every date field and every typed date agree: en_US 6/30/1992, en_GB
30/06/1992, de_DE 30.06.1992. Typed dates are read in that same format, and ISO
(1992-06-30) is always understood too.

Times are shown in the clinic's time zone, never in UTC as stored: the zone the clinic's
settings name, else this workstation's own. `use_clinic` is called when the main window
opens and whenever the clinic settings are saved.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QDate, QLocale, QTime

from consult.errors import InvalidField

DEFAULT_LOCALE = "en_US"
_TWO_DIGIT_YEAR = re.compile(r"(?<!y)yy(?!y)")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _four_digit_year(locale: QLocale) -> str:
    return _TWO_DIGIT_YEAR.sub("yyyy", locale.dateFormat(QLocale.FormatType.ShortFormat))


class _Clinic:
    locale = QLocale(DEFAULT_LOCALE)
    date_format = _four_digit_year(locale)
    zone: tzinfo | None = None  # None: this workstation's zone


_clinic = _Clinic()


def use_clinic(locale: str, time_zone: str | None = None) -> None:
    """Show dates in `locale`'s format and times in `time_zone` (IANA name) from now on."""
    _clinic.locale = QLocale(locale or DEFAULT_LOCALE)
    _clinic.date_format = _four_digit_year(_clinic.locale)
    _clinic.zone = None
    if time_zone:
        try:
            _clinic.zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            _clinic.zone = None  # an unknown name: the workstation's own clock, not UTC


def date_format() -> str:
    """The Qt date format of the clinic, four-digit year (for QDateEdit.setDisplayFormat)."""
    return _clinic.date_format


def date_hint() -> str:
    """What to type, in words a placeholder can show: "M/D/YYYY" for en_US, say."""
    return date_format().upper()


def local(moment: datetime) -> datetime:
    """`moment` (stored in UTC) on the clinic's clock."""
    return moment.astimezone(_clinic.zone)


def now() -> datetime:
    """Now on the clinic's clock, with its time zone (for a signature's time, say)."""
    return datetime.now().astimezone(_clinic.zone)


def show_date(value: date | datetime | None) -> str:
    """A date in the clinic's format; a datetime is first put on the clinic's clock."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return QDate(value.year, value.month, value.day).toString(date_format())


def show_time(moment: datetime, *, seconds: bool = False) -> str:
    """The time of `moment` on the clinic's clock, as the locale writes it."""
    at = local(moment)
    text_format = _clinic.locale.timeFormat(QLocale.FormatType.ShortFormat)
    if seconds and "ss" not in text_format:
        text_format = text_format.replace("mm", "mm:ss", 1)
    return QTime(at.hour, at.minute, at.second).toString(text_format)


def show_datetime(moment: datetime | None, *, seconds: bool = False) -> str:
    if moment is None:
        return ""
    return f"{show_date(moment)} {show_time(moment, seconds=seconds)}"


def parse_date(text: str, field: str, *, required: bool = False) -> date | None:
    """A typed date in the clinic's format (or ISO); InvalidField naming `field` if not one."""
    typed = text.strip()
    if not typed:
        if required:
            raise InvalidField(field, "is required")
        return None
    if match := _ISO.match(typed):
        year, month, day = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise InvalidField(field, f'"{typed}" is not a date in the calendar') from None
    parsed = QDate.fromString(typed, date_format())
    if not parsed.isValid():
        example = show_date(date(1992, 6, 30))
        raise InvalidField(
            field, f'"{typed}" is not a date (write it as {date_hint()}, e.g. {example})'
        )
    return date(parsed.year(), parsed.month(), parsed.day())
