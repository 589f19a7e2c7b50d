"""Cold command-line start: `consult verify` and `consult documents` beside bare Python.

Each command is a new process, as a user or a script runs it: `consult verify PDF` on a
sealed plan, `consult documents FILE --out DIR` on the spec's example. The floor is
`python -c "import json"` with the same interpreter: what any Python command costs
before doing anything. Commands and floor take turns (`--runs` rounds); each time is
the child's CPU time (user + system), which a busy shared machine inflates far less
than wall time (shown in brackets). Goals (issue 18): verify at most 8x, documents at
most 12x. Prints both ratios, and `ratio=X.XX` last: documents's, the heavier.

Both run as an installed Consult does, from bytecode (bench.engines.as_installed).

The plan `verify` checks is sealed once beforehand, by a child process with the bench's
own data folder and a throw-away sealing key: sealing is an act of a signed-in practitioner
on the command line, and the bench times verifying, not signing in.

Run: .venv/bin/python bench/cold_commands.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.engines import as_installed  # noqa: E402

EXAMPLE = ROOT.parent / "shared" / "spec" / "examples" / "acne-scars.json"
GOALS = {"verify": 8.0, "documents": 12.0}

# Run in a child with the bench's environment: builds the example's plan with drawn
# signatures and seals it with the data folder's (new, throw-away) clinic certificate.
SEAL_A_PLAN = """
import io, sys
from datetime import datetime
from pathlib import Path
from PIL import Image, ImageDraw
from consult.clinical import fileformat
from consult.documents.build import document_input
from consult.documents.certificate import clinic_certificate
from consult.documents.model import Signatures
from consult.documents.plan import build_plan
from consult.documents.sealing import seal
from consult.pricing import default_price_list, default_settings
image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
ImageDraw.Draw(image).line([(10, 80), (80, 20), (150, 70), (290, 30)], fill="navy", width=4)
png = io.BytesIO()
image.save(png, "PNG")
settings = default_settings()
doc = document_input(fileformat.load(Path(sys.argv[1])), default_price_list(), settings,
                     signatures=Signatures(png.getvalue(), png.getvalue()),
                     signed_at=datetime.now().astimezone())
sealed = seal(build_plan(doc), clinic_certificate(settings.name), "Treatment plan").pdf
Path(sys.argv[2]).write_bytes(sealed)
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(CPU ms, wall ms, stdout) of one run of `command`."""
    cpu, wall = _children_cpu(), time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - wall, _children_cpu() - cpu
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed ({result.returncode}): {result.stderr}")
    return cpu * 1000, wall * 1000, result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="consult-bench-cold-") as work:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULT_")}
        env["CONSULT_DATA_DIR"] = work
        env = as_installed(env, Path(work) / "bytecode")
        env["CONSULT_SEAL_PASSPHRASE"] = "bench-only throw-away passphrase"
        consult = [sys.executable, "-m", "consult"]
        documents = [*consult, "documents", str(EXAMPLE), "--out", str(Path(work) / "out")]
        timed(documents, env)  # warms the file cache and writes the bytecode
        plan = str(Path(work) / "sealed-plan.pdf")
        timed([sys.executable, "-c", SEAL_A_PLAN, str(EXAMPLE), plan], env)
        commands = {"verify": [*consult, "verify", plan], "documents": documents}
        timed(commands["verify"], env)  # its own modules' bytecode, untimed
        floor = [sys.executable, "-c", "import json"]
        times: dict[str, list[tuple[float, float]]] = {"floor": [], **{k: [] for k in commands}}
        for _ in range(runs):
            for name, command in commands.items():
                times["floor"].append(timed(floor, env)[:2])
                times[name].append(timed(command, env)[:2])
    cpu = {name: statistics.median(t[0] for t in runs_) for name, runs_ in times.items()}
    wall = {name: statistics.median(t[1] for t in runs_) for name, runs_ in times.items()}
    print(f"floor, python -c 'import json': {cpu['floor']:.0f} ms CPU [{wall['floor']:.0f} ms]")
    ratios = {}
    for name in commands:
        ratios[name] = cpu[name] / cpu["floor"]
        print(f"consult {name}: {cpu[name]:.0f} ms CPU [{wall[name]:.0f} ms], "
              f"{ratios[name]:.2f}x the floor (goal at most {GOALS[name]:.0f}x)")
    print(f"ratio={ratios['documents']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
