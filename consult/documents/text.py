"""Turning user and clinic text into reportlab Paragraph markup safely.

Paragraph reads a small XML dialect, so a name such as `Zoë <b>O'Brien & Co</b>` would
be taken as markup (or break the parse). Everything printed goes through `esc` first;
only markup written here in code is left unescaped.
"""

from __future__ import annotations

from datetime import date, datetime
from xml.sax.saxutils import escape

BLANK_LINE = "_" * 34
# Fits half the page width, beside a label (signature blocks).
SHORT_BLANK_LINE = "_" * 22


def esc(value: object) -> str:
    """Plain text as Paragraph markup; line breaks are kept."""
    return escape(str(value)).replace("\n", "<br/>")


def bold(value: object) -> str:
    return f"<b>{esc(value)}</b>"


# Not strftime("%b"): the app's toolkit sets the process locale, and the documents'
# wording is English, so month names must not follow the computer's language.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(value: date) -> str:
    """A date no reader can misread across countries: 20 Nov 2026."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def moment(value: datetime) -> str:
    """Date, time and zone, e.g. `20 Nov 2026, 14:05 CET (UTC+01:00)`."""
    offset = value.strftime("%z")
    utc = "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
    zone = value.tzname() or utc
    shown_zone = zone if zone == utc else f"{zone} ({utc})"
    return f"{day(value)}, {value:%H:%M} {shown_zone}"


def checkbox(ticked: bool | None, label: str) -> str:
    """A tick box the reader sees without relying on colour; None prints empty."""
    box = "☒" if ticked else "☐"
    return f"{box} {esc(label)}"


def choice(answer: bool | None) -> str:
    """`☒ Yes  ☐ No` for an answer; both empty when not yet chosen."""
    gap = "&nbsp;" * 4
    return f"{checkbox(answer is True, 'Yes')}{gap}{checkbox(answer is False, 'No')}"
