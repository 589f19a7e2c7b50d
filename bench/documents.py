"""Time building the consent and plan PDFs for one consultation, sealed, in a warm process.

Beside it, a floor: a bare reportlab document with the same number of pages (plain
Paragraphs in Helvetica, no embedded fonts, images, vector maps or signing). The last
line printed is `ratio=X.XX` (ours / floor). Goal: under 300 ms, ratio at most 3.
Product and floor runs alternate in one loop, each timed in CPU time.

Run: .venv/bin/python bench/documents.py [--runs N]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfReader
from reportlab import rl_config
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# A private data folder: the bench must never create or use a real clinic's certificate.
os.environ["CONSULT_DATA_DIR"] = tempfile.mkdtemp(prefix="consult-bench-")
# Its throw-away sealing key needs a passphrase; a machine without a keyring has none.
os.environ.setdefault("CONSULT_SEAL_PASSPHRASE", "bench-only throw-away passphrase")


from bench.engines import alternate  # noqa: E402
from consult.clinical import fileformat  # noqa: E402
from consult.documents.build import document_input  # noqa: E402
from consult.documents.certificate import clinic_certificate  # noqa: E402
from consult.documents.consent import build_consent  # noqa: E402
from consult.documents.model import Signatures  # noqa: E402
from consult.documents.plan import build_plan  # noqa: E402
from consult.documents.sealing import seal  # noqa: E402
from consult.pricing import default_price_list, default_settings  # noqa: E402

EXAMPLE = ROOT.parent / "shared" / "spec" / "examples" / "acne-scars.json"


def _signature() -> bytes:
    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 80), (80, 20), (150, 70), (290, 30)], fill="navy", width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def ours() -> tuple[Callable[[], tuple[bytes, bytes]], Callable[[], None]]:
    """Build and seal both documents; also a function timing the sealing alone."""
    settings = default_settings()
    consultation = fileformat.load(EXAMPLE)
    png = _signature()
    certificate = clinic_certificate(settings.name)
    doc = document_input(
        consultation,
        default_price_list(),
        settings,
        signatures=Signatures(png, png),
        signed_at=datetime.now().astimezone(),
    )

    def run() -> tuple[bytes, bytes]:
        consent = seal(build_consent(doc), certificate, "Signed consent").pdf
        plan = seal(build_plan(doc), certificate, "Treatment plan").pdf
        return consent, plan

    consent_pdf, plan_pdf = build_consent(doc), build_plan(doc)

    def sealing_only() -> None:
        seal(consent_pdf, certificate, "Signed consent")
        seal(plan_pdf, certificate, "Treatment plan")

    return run, sealing_only


def floor(pages: int) -> Callable[[], bytes]:
    """A bare reportlab document of `pages` pages of plain paragraphs."""
    style = getSampleStyleSheet()["BodyText"]
    text = "Plain paragraph text of about the length a consent section has. " * 6

    def run() -> bytes:
        story = []
        for page in range(pages):
            story += [Paragraph(text, style) for _ in range(12)]
            if page < pages - 1:
                story.append(PageBreak())
        buffer = io.BytesIO()
        SimpleDocTemplate(buffer).build(story)
        return buffer.getvalue()

    return run


def cpu_ms(action: Callable[[], object]) -> float:
    started = time.process_time()
    action()
    return (time.process_time() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    rl_config.invariant = 1
    build_both, sealing_only = ours()
    consent, plan = build_both()
    pages = len(PdfReader(io.BytesIO(consent)).pages) + len(PdfReader(io.BytesIO(plan)).pages)
    bare = floor(pages)
    floor_pages = len(PdfReader(io.BytesIO(bare())).pages)
    if floor_pages != pages:
        raise SystemExit(f"the floor has {floor_pages} pages, not {pages}: adjust floor()")
    # Product and floor alternate, so a burst of load on the machine hits both alike.
    # The work is single-threaded: CPU time is what it costs (wall time swings with
    # whatever else the machine runs, and is shown only for reference).
    paired = alternate(build_both, bare, runs, clock=time.process_time)
    walls = alternate(build_both, bare, max(3, runs // 3))
    sealing = statistics.median(cpu_ms(sealing_only) for _ in range(runs))
    print(f"pages={pages} runs={runs}, alternated (median CPU time; wall time in brackets)")
    print(
        f"consent+plan, built and sealed: {paired.product_ms:.1f} ms "
        f"[{walls.product_ms:.1f} ms], of which sealing both {sealing:.1f} ms"
    )
    print(
        f"floor, bare reportlab with {pages} pages: {paired.floor_ms:.1f} ms "
        f"[{walls.floor_ms:.1f} ms]"
    )
    print(f"ratio={paired.ratio:.2f}")





if __name__ == "__main__":
    main()
