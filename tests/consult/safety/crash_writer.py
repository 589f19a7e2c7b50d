"""A workstation saving consultations as fast as it can, for the SIGKILL test.

    python -m tests.consult.safety.crash_writer DATABASE_URL EXAMPLE_JSON

Each save (patient + consultation + audit events, one transaction) goes through the
storage repositories; its consultation id is printed only after the commit returned,
so every printed id is a save the user was told had succeeded. It never stops by
itself: the test kills it with SIGKILL at an arbitrary point.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from itertools import count

from consult.access import command_line_actor
from consult.clinical import fileformat
from consult.storage import Database, exchange


def main(url: str, example: str) -> None:
    actor = command_line_actor()
    template = fileformat.load(example)
    with Database.open(url) as database:
        for number in count():
            patient = replace(template.patient, name=f"Crash Test {number}")
            consultation = replace(template, patient=patient)
            # A restarted writer imports "Crash Test 0" again: it goes to that record.
            saved = exchange.import_consultation(database, actor, consultation, existing="keep")
            print(saved.consultation_id, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
