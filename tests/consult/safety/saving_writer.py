"""A workstation that keeps saving: registers patients until killed, printing each id
once its save is committed (an acknowledged save). Run as a separate process."""

from __future__ import annotations

import sys
from datetime import date

from consult.access import Actor
from consult.clinical import fileformat
from consult.storage import Database, patients

WRITER = Actor(None, "os:writer", "manager", "desk-2")


def main(url: str) -> None:
    with Database.open(url) as database:
        number = 0
        while True:
            person = fileformat.Patient(f"Writer {number}", date(1990, 1, 1))
            saved = patients.create_patient(database, WRITER, person)
            print(saved.id, flush=True)
            number += 1


if __name__ == "__main__":
    main(sys.argv[1])
