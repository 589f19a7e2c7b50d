"""Write resources/fonts/metrics.marshal: the shipped metrics of the faces every
document uses (consult.documents.font_metrics), so no start parses them again.

Run after changing those fonts or upgrading reportlab or Python; until then the fonts
are parsed as reportlab does (slower, never wrong), and a test fails.

Run: .venv/bin/python scripts/font_metrics.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consult import data  # noqa: E402
from consult.documents import font_metrics  # noqa: E402


def main() -> int:
    faces = {resource: data.read_bytes(resource) for resource in font_metrics.STORED}
    target = ROOT / "resources" / font_metrics.STORE
    target.write_bytes(font_metrics.store(faces))
    print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
