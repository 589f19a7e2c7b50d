"""Where the tests find the shared specification beside the checkout."""

from __future__ import annotations

from pathlib import Path

# The checkout is /work/<name>; the specification and its examples are in ../shared.
SHARED = Path(__file__).resolve().parents[3] / "shared"
EXAMPLES = SHARED / "spec" / "examples"
