"""Write resources/maps/label_points.json: where each shipped map area's labels go.

`maps.Shape.label_points` searches each area for the point farthest from its edges,
tens of milliseconds an area; the shipped maps' results are stored so a document or
the map picker never searches them. Run after changing a map; a test fails while the
file and the maps disagree.

Run: .venv/bin/python scripts/map_label_points.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consult.clinical import maps  # noqa: E402


def label_points() -> dict[str, list[list[float]]]:
    found: dict[str, list[list[float]]] = {}
    for view in maps.VIEWS:
        for shape in maps.load(view).areas.values():
            found[maps.path_key(shape.d)] = [[x, y] for x, y in shape.search_label_points()]
    return dict(sorted(found.items()))


def main() -> int:
    target = ROOT / "resources" / maps.LABEL_POINTS
    lines = [f" {json.dumps(key)}: {json.dumps(points)}" for key, points in label_points().items()]
    target.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
