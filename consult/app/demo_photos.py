"""Synthetic before/after photographs for the demo clinic's sessions.

Drawn with Pillow: a plain oval on a grey backdrop with coloured marks standing for
scarring, fewer and fainter in the "after" picture. No real person, nothing that could
be mistaken for one. Each picture goes through the same normalisation as an import
(consult.photos.images), so the demo's photos are stored exactly as real ones are.
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from consult.photos.images import normalise
from consult.photos.views import views_for

SIZE = (600, 800)
MARKS_BEFORE = 140


def synthetic_photo(rng: random.Random, marks: int, fade: float) -> bytes:
    """A JPEG of an oval with `marks` spots; `fade` (0..1) pales them towards the skin."""
    skin = (rng.randint(190, 230), rng.randint(150, 185), rng.randint(120, 160))
    image = Image.new("RGB", SIZE, (96, 102, 110))
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    oval = (width * 0.18, height * 0.12, width * 0.82, height * 0.9)
    draw.ellipse(oval, fill=skin)
    for _ in range(marks):
        x = rng.uniform(oval[0] + 40, oval[2] - 40)
        y = rng.uniform(oval[1] + 60, oval[3] - 60)
        radius = rng.uniform(2, 7)
        mark = (170, 70, 70)
        colour = tuple(round(m + (s - m) * fade) for m, s in zip(mark, skin, strict=True))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def session_photo_rows(
    consultation_id: int,
    patient_id: int,
    practitioner_id: int,
    area: str,
    sessions: list[Any],
) -> list[dict[str, Any]]:
    """The rows of a "before" photo at the first session and an "after" at the last.

    A generator of its own per consultation, so adding photos leaves the rest of a
    seed's demo as it was.
    """
    if not sessions:
        return []
    rng = random.Random(consultation_id)  # noqa: S311  (demo pictures, reproducible)
    view = views_for(area)[0].id
    first, last = sessions[0], sessions[-1]
    shots = [("before", first, MARKS_BEFORE, 0.0)]
    if last is not first:
        shots.append(("after", last, MARKS_BEFORE // 3, 0.55))
    rows = []
    for stage, treatment, marks, fade in shots:
        kept = normalise(synthetic_photo(random.Random(rng.random()), marks, fade))  # noqa: S311
        rows.append(
            {
                "patient_id": patient_id,
                "consultation_id": consultation_id,
                "session_id": treatment.id,
                "area": area,
                "view": view,
                "stage": stage,
                "taken_on": treatment.session_date,
                "width": kept.width,
                "height": kept.height,
                "sha256": kept.sha256,
                "image": kept.image,
                "thumbnail": kept.thumbnail,
                "imported_by": practitioner_id,
                "imported_at": datetime.now(UTC),
            }
        )
    return rows
