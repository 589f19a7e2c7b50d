"""Areas, regions, concerns and treatment kinds, read from resources/catalogue.toml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from consult import data


@dataclass(frozen=True)
class Area:
    id: str
    label: str
    region: str
    view: str

    @property
    def is_face(self) -> bool:
        return self.region == "face"


@dataclass(frozen=True)
class Catalogue:
    areas: dict[str, Area]
    regions: dict[str, str]
    concerns: dict[str, str]
    treatments: dict[str, str]

    def area(self, area_id: str) -> Area:
        return self.areas[area_id]

    def face_areas(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.areas.values() if a.is_face)

    def region_of(self, area_id: str) -> str:
        return self.areas[area_id].region


@cache
def catalogue() -> Catalogue:
    raw = data.read_toml("catalogue.toml")
    areas = {
        entry["id"]: Area(entry["id"], entry["label"], entry["region"], entry["view"])
        for entry in raw["area"]
    }
    return Catalogue(
        areas=areas,
        regions=dict(raw["regions"]),
        concerns=dict(raw["concerns"]),
        treatments=dict(raw["treatments"]),
    )
