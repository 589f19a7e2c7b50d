"""Several consultation files in one command (spec: "Several files").

`check`, `quote` and `documents` accept several FILEs or a folder of `.json` files
(its files in name order) and do them all in one process. Each bad file gets its own
`error: FILE: …` line on stderr and the others are still done; the command then exits
2. With `--json` the answers are printed as one JSON list in the order the files were
given, `null` where a file was bad, so the list's positions follow the files.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from consult.errors import ConsultError

T = TypeVar("T")


@dataclass(frozen=True)
class Inputs:
    files: tuple[Path, ...]
    several: bool  # more than one FILE, or a folder: answers are a list
    problems: tuple[str, ...]  # arguments that named nothing to do, as error lines


def expand(arguments: Sequence[str]) -> Inputs:
    """The files named, each folder replaced by its `.json` files in name order."""
    files: list[Path] = []
    problems: list[str] = []
    folders = False
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            folders = True
            found = sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
            if not found:
                problems.append(f"{path}: the folder holds no .json files")
            files.extend(found)
        else:
            files.append(path)
    return Inputs(tuple(files), folders or len(arguments) > 1, tuple(problems))


def each(inputs: Inputs, work: Callable[[Path], T]) -> tuple[list[T | None], bool]:
    """`work` on every file; a bad file's error is printed and its answer is None.

    Returns the answers in order and whether every file was good.
    """
    for problem in inputs.problems:
        print(f"error: {problem}", file=sys.stderr)
    answers: list[T | None] = []
    good = not inputs.problems
    for file in inputs.files:
        try:
            answers.append(work(file))
        except ConsultError as exc:
            print(f"error: {_naming(file, str(exc))}", file=sys.stderr)
            answers.append(None)
            good = False
    return answers, good


def _naming(file: Path, message: str) -> str:
    """The message with the file named once at the start."""
    prefix = f"{file}: "
    return message if message.startswith(prefix) else prefix + message


def texts(inputs: Inputs, answers: Sequence[str | None]) -> str:
    """Each good file's text for a person, under a line naming the file."""
    blocks = [
        f"== {file} ==\n{text.rstrip()}"
        for file, text in zip(inputs.files, answers, strict=True)
        if text is not None
    ]
    return "\n\n".join(blocks)
