"""The clinic itself: whether it is set up, and its local time.

A record sealed in the clinic's name must name a real clinic a patient can reach, so
nothing is sealed until the set-up details are given (never the shipped examples), and
every time on screen or paper is in the clinic's time zone.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from consult.clinic.settings import ClinicSettings
from consult.errors import ConsultError

# What a set-up clinic has given: a record names the clinic, and a patient can reach it.
SET_UP_FIELDS = {
    "name": "name",
    "address": "address",
    "phone": "phone",
    "currency": "currency",
    "time_zone": "time zone",
}
# The shipped example values of resources/clinic.toml: never printed as a real clinic.
PLACEHOLDERS = frozenset({"Your Clinic", "1 Example Street, Springfield"})


def missing_set_up(settings: ClinicSettings) -> tuple[str, ...]:
    """The set-up details the clinic has not given yet (empty: it is set up)."""
    missing = []
    for key, label in SET_UP_FIELDS.items():
        value = str(getattr(settings, key)).strip()
        if not value or value in PLACEHOLDERS:
            missing.append(label)
    return tuple(missing)


def is_set_up(settings: ClinicSettings) -> bool:
    return not missing_set_up(settings)


def require_set_up(settings: ClinicSettings) -> None:
    """Refuse to seal for a clinic whose details are not real yet."""
    missing = missing_set_up(settings)
    if missing:
        raise ConsultError(
            "the clinic is not set up (missing: "
            + ", ".join(missing)
            + "); a manager sets it up in Clinic settings before anything is sealed"
        )


def zone_of(settings: ClinicSettings) -> tzinfo:
    """The clinic's time zone; the machine's own until the clinic sets one."""
    if settings.time_zone:
        return ZoneInfo(settings.time_zone)
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local


def local_now(settings: ClinicSettings) -> datetime:
    return datetime.now(zone_of(settings))
