"""`consult documents` on 100 consultation files in one process, beside 100 warm singles.

The product: `consult documents F1 … F100 --out DIR` as a user runs it, a new process
(start-up and imports included, from bytecode as an installed copy runs:
bench.engines.as_installed), documents for every file. The floor: 100 times the
warm time of one file's documents through the same command in this process (after a
warm-up, so no import or first-use cost is in it). Product and floor take turns,
`--rounds` times; both are CPU time (the child's, and this process's), which a busy
shared machine inflates far less than wall time. Prints both and `ratio=X.XX` last.
Goal (issue 18): at most 1.2.

Run: .venv/bin/python bench/batch_documents.py [--files N] [--rounds N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# A private data folder: the bench must never create or use a real clinic's certificate.
os.environ["CONSULT_DATA_DIR"] = tempfile.mkdtemp(prefix="consult-bench-")

from bench.engines import as_installed  # noqa: E402
from consult.app.cli import main as consult  # noqa: E402

EXAMPLES = ROOT.parent / "shared" / "spec" / "examples"
SINGLES = 10  # warm single-document runs per round; their median stands for each one


def consultation_files(folder: Path, count: int) -> list[Path]:
    """`count` copies of the spec's examples that have documents today (not those the
    screening refuses, for which `documents` rightly writes nothing)."""
    sources = [path for path in sorted(EXAMPLES.glob("*.json")) if _has_documents(path, folder)]
    files = []
    for number in range(count):
        target = folder / f"consultation-{number:04d}.json"
        shutil.copy(sources[number % len(sources)], target)
        files.append(target)
    return files


def _has_documents(example: Path, folder: Path) -> bool:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return consult(["documents", str(example), "--out", str(folder / "probe")]) == 0


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch_cpu_ms(files: list[Path], out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    before = children_cpu()
    result = subprocess.run(
        [sys.executable, "-m", "consult", "documents", *map(str, files), "--out", str(out)],
        capture_output=True, text=True, check=False,
        env=as_installed(os.environ.copy(), Path(os.environ["CONSULT_DATA_DIR"]) / "bytecode"),
    )
    if result.returncode != 0:
        raise SystemExit(f"consult documents failed ({result.returncode}): {result.stderr}")
    return (children_cpu() - before) * 1000


def single_cpu_ms(file: Path, out: Path) -> float:
    with contextlib.redirect_stdout(io.StringIO()):
        started = time.process_time()
        code = consult(["documents", str(file), "--out", str(out)])
        elapsed = (time.process_time() - started) * 1000
    if code != 0:
        raise SystemExit(f"consult documents {file} failed ({code})")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="consult-bench-batch-") as work:
        folder = Path(work)
        (folder / "in").mkdir()
        files = consultation_files(folder / "in", args.files)
        single_cpu_ms(files[0], folder / "single")  # warm: imports, fonts, certificate
        batch_cpu_ms(files[:1], folder / "batch")  # the child's bytecode, untimed
        batches, singles = [], []
        for _ in range(args.rounds):
            batches.append(batch_cpu_ms(files, folder / "batch"))
            singles.extend(
                single_cpu_ms(files[n % len(files)], folder / "single") for n in range(SINGLES)
            )
    batch = statistics.median(batches)
    single = statistics.median(singles)
    floor = single * args.files
    print(f"{args.files} files in one `consult documents` process: median {batch:.0f} ms CPU "
          f"(rounds: {', '.join(f'{t:.0f}' for t in batches)})")
    print(f"floor: {args.files} x warm single document {single:.1f} ms = {floor:.0f} ms CPU")
    print(f"ratio={batch / floor:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
