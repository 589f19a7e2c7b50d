"""Which views a photo of an area can have: five angles for the face, the maps' for the body.

A photo names its area (an area id of the catalogue) and its view; the pair decides
which earlier photo a new one is lined up with and which photos can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from consult import data
from consult.clinical.catalogue import catalogue
from consult.errors import InvalidField

STAGES = ("before", "after")


@dataclass(frozen=True)
class PhotoView:
    id: str
    label: str


@cache
def _table() -> dict[str, tuple[PhotoView, ...]]:
    raw = data.read_toml("photo_views.toml")
    return {
        group: tuple(PhotoView(view_id, label) for view_id, label in raw[group].items())
        for group in ("face", "body")
    }


def views_for(area: str) -> tuple[PhotoView, ...]:
    """The standard views of `area`; InvalidField when it is not a catalogue area."""
    if area not in catalogue().areas:
        raise InvalidField("area", f'"{area}" is not a treatment area')
    return _table()["face" if catalogue().area(area).is_face else "body"]


def check_view(area: str, view: str) -> PhotoView:
    """The view `view` of `area`, or InvalidField naming the views it may have."""
    allowed = views_for(area)
    for candidate in allowed:
        if candidate.id == view:
            return candidate
    names = ", ".join(candidate.id for candidate in allowed)
    raise InvalidField("view", f'"{view}" is not a view of {area} (one of: {names})')


def view_label(view: str) -> str:
    """The label of a view id ("Left 45°"); the id itself for an unknown one."""
    for group in _table().values():
        for candidate in group:
            if candidate.id == view:
                return candidate.label
    return view


def check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise InvalidField("stage", f'"{stage}" must be "before" or "after"')
    return stage
