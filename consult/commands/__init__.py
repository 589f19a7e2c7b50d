"""One module per `consult` subcommand, each with `run(args) -> int`."""

from __future__ import annotations

import argparse

from consult.limits import LARGEST_ID


def record_number(text: str) -> int:
    """argparse's type for a record's number (a patient, booking or session): a whole
    number the database can hold, else the usual "argument X: …" message."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 1 <= number <= LARGEST_ID:
        raise argparse.ArgumentTypeError(f"{text} is not a record number (1 to {LARGEST_ID:,})")
    return number
