"""`consult photos …`: before and after photographs on the command line.

    consult photos import PATIENT FILE|FOLDER... --area AREA --view VIEW --before|--after
                          [--session ID] [--date YYYY-MM-DD]
    consult photos list PATIENT [--json]
    consult photos progress PATIENT --pair FIRST,SECOND [--pair …] --out FILE.pdf
    consult photos withdraw PATIENT --scope clinical|marketing --note TEXT
    consult photos erase PATIENT --reason TEXT
    consult photos marketing-export --out FOLDER

A folder imports its JPEG, PNG and HEIC files. A batch is kept whole or not at all.
Every command acts as a signed-in practitioner or manager (--user / CONSULT_USER,
CONSULT_PASSWORD); every view, import, export and erasure is audited.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consult.app.cli import EXIT_OK, database_url
from consult.commands import record_number, signin
from consult.errors import ConsultError, InvalidField
from consult.photos.limits import MAX_FILE_BYTES, SUFFIXES

if TYPE_CHECKING:
    from consult.records.photos import PhotoList, PhotoRecord


def add_parser(commands: argparse._SubParsersAction, database_option: Any) -> None:  # type: ignore[type-arg]
    photos = commands.add_parser("photos", help="before and after photographs of a patient")
    actions = photos.add_subparsers(
        dest="photos_command", metavar="ACTION", parser_class=type(photos), required=True
    )
    add = actions.add_parser("import", help="keep photos from files or folders")
    add.add_argument(
        "patient", metavar="PATIENT", type=record_number, help="the patient's number"
    )
    add.add_argument("files", metavar="FILE", nargs="+", help="a JPEG, PNG or HEIC, or a folder")
    add.add_argument("--area", required=True, help="the treatment area (e.g. cheeks)")
    add.add_argument("--view", required=True, help="front, left_45, right_45, left_profile, …")
    stage = add.add_mutually_exclusive_group(required=True)
    stage.add_argument("--before", dest="stage", action="store_const", const="before")
    stage.add_argument("--after", dest="stage", action="store_const", const="after")
    add.add_argument("--session", type=record_number, metavar="ID", help="the treatment session")
    add.add_argument("--date", metavar="YYYY-MM-DD", help="the day it was taken")

    listing = actions.add_parser("list", help="the patient's photos")
    listing.add_argument("patient", metavar="PATIENT", type=record_number)
    listing.add_argument("--json", action="store_true", help="print JSON")

    progress = actions.add_parser("progress", help="the patient's progress PDF of chosen pairs")
    progress.add_argument("patient", metavar="PATIENT", type=record_number)
    progress.add_argument(
        "--pair", action="append", required=True, metavar="FIRST,SECOND",
        help="two photo numbers of one view (repeat for more pairs)",
    )
    progress.add_argument("--out", required=True, metavar="FILE")

    withdraw = actions.add_parser("withdraw", help="record the patient withdrawing consent")
    withdraw.add_argument("patient", metavar="PATIENT", type=record_number)
    withdraw.add_argument("--scope", required=True, choices=("clinical", "marketing"))
    withdraw.add_argument("--note", required=True, help="how and when the patient said so")

    erase = actions.add_parser("erase", help="erase the patient's photos (a lawful request)")
    erase.add_argument("patient", metavar="PATIENT", type=record_number)
    erase.add_argument("--reason", required=True, help="the erasure request it answers")
    marketing = actions.add_parser(
        "marketing-export", help="photos patients agreed may be used in marketing (no names)"
    )
    marketing.add_argument("--out", required=True, metavar="FOLDER")
    for parser in (add, listing, progress, withdraw, erase, marketing):
        signin.add_option(parser)
        database_option(parser)


def run(args: argparse.Namespace) -> int:
    from consult.services import opening

    commands = {
        "import": _import,
        "list": _list,
        "progress": _progress,
        "withdraw": _withdraw,
        "erase": _erase,
        "marketing-export": _marketing,
    }
    with opening.open_existing_clinic(database_url(args)) as database:
        return commands[args.photos_command](args, database)


# --------------------------------------------------------------------------- import


def photo_files(names: list[str]) -> list[Path]:
    """The files named, a folder's photos in name order; a clear error for anything else."""
    found: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            inside = sorted(
                child for child in path.iterdir()
                if child.is_file() and child.suffix.lower() in SUFFIXES
            )
            if not inside:
                raise InvalidField(name, "the folder has no JPEG, PNG or HEIC photos")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise InvalidField(name, "no such file or folder")
    return found


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidField(path.name, f"is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidField(path.name, f"cannot be read ({error.strerror})") from None


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidField("--date", f'"{text}" is not a date (YYYY-MM-DD)') from None


def _import(args: argparse.Namespace, database: Any) -> int:
    from consult.services import photos
    from consult.services.photos import PhotoImport

    files = photo_files(args.files)
    taken_on = _day(args.date)
    user = signin.sign_in(args, database, "importing photos")
    batch = tuple(
        PhotoImport(
            patient_id=args.patient,
            data=_read(path),
            area=args.area,
            view=args.view,
            stage=args.stage,
            taken_on=taken_on,
            session_id=args.session,
            source=path.name,
        )
        for path in files
    )
    kept = photos.import_photos(user, batch)
    for path, record in zip(files, kept, strict=True):
        print(f"photo {record.id}: {path.name} kept as {record.width}×{record.height} "
              f"({record.area}, {record.view}, {record.stage}, {record.taken_on.isoformat()})")
    return EXIT_OK


# --------------------------------------------------------------------------- list


def _list(args: argparse.Namespace, database: Any) -> int:
    from consult.services import photos

    user = signin.sign_in(args, database, "listing photos")
    found = photos.list_photos(user, args.patient)
    if args.json:
        json.dump(_list_json(found), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    if found.hidden:
        print(f"{found.hidden} photo(s) hidden: the patient withdrew photography consent")
    elif not found.photos:
        print("no photos")
    for photo in found.photos:
        session = f"  session {photo.session_id}" if photo.session_id is not None else ""
        print(f"{photo.id}  {photo.taken_on.isoformat()}  {photo.stage:<6}  {photo.area} "
              f"{photo.view}  {photo.width}×{photo.height}{session}")
    if found.erased:
        print(f"{found.erased} photo(s) erased on request")
    return EXIT_OK


def _list_json(found: PhotoList) -> dict[str, Any]:
    return {
        "patient_id": found.patient_id,
        "consent": {
            "clinical": found.consent.clinical,
            "marketing": found.consent.marketing,
            "withdrawn": found.consent.withdrawn,
        },
        "hidden": found.hidden,
        "erased": found.erased,
        "photos": [_photo_json(photo) for photo in found.photos],
    }


def _photo_json(photo: PhotoRecord) -> dict[str, Any]:
    return {
        "id": photo.id,
        "area": photo.area,
        "view": photo.view,
        "stage": photo.stage,
        "date": photo.taken_on.isoformat(),
        "session": photo.session_id,
        "width": photo.width,
        "height": photo.height,
        "sha256": photo.sha256,
        "imported_by": photo.imported_by,
    }


# --------------------------------------------------------------------------- the rest


def pairs(values: list[str]) -> tuple[tuple[int, int], ...]:
    chosen = []
    for value in values:
        parts = value.split(",")
        if len(parts) != 2 or not all(part.strip().isdigit() for part in parts):
            raise InvalidField("--pair", f'"{value}" must be two photo numbers, e.g. 12,31')
        chosen.append((int(parts[0]), int(parts[1])))
    return tuple(chosen)


def _progress(args: argparse.Namespace, database: Any) -> int:
    from consult.protection import atomic
    from consult.services import photos

    chosen = pairs(args.pair)
    user = signin.sign_in(args, database, "a progress document")
    found = photos.list_photos(user, args.patient)
    theirs = {photo.id for photo in found.photos}
    for photo_id in (photo_id for pair in chosen for photo_id in pair):
        if photo_id not in theirs:
            raise ConsultError(f"--pair: photo {photo_id} is not one of patient {args.patient}'s")
    document = photos.progress_pdf(user, chosen)
    written = atomic.write_bytes(args.out, document.pdf)
    photos.record_progress_save(user, args.patient, document.number, written.name)
    print(f"progress photographs written to {written}")
    return EXIT_OK


def _withdraw(args: argparse.Namespace, database: Any) -> int:
    from consult.services import photos

    user = signin.sign_in(args, database, "recording a withdrawal of consent")
    consent = photos.withdraw_consent(user, args.patient, args.scope, args.note)
    what = "clinical photographs" if args.scope == "clinical" else "marketing use of photographs"
    hidden = " (the photos are kept, hidden)" if consent.withdrawn else ""
    print(f"patient {args.patient} withdrew consent to {what}{hidden}")
    return EXIT_OK


def _erase(args: argparse.Namespace, database: Any) -> int:
    from consult.services import photos

    user = signin.sign_in(args, database, "erasing photos")
    tombstone = photos.erase_photos(user, args.patient, args.reason)
    print(f"{tombstone.photo_count} photo(s) of patient {args.patient} erased; "
          "the erasure is recorded")
    return EXIT_OK


def _marketing(args: argparse.Namespace, database: Any) -> int:
    """The images as photo-<n>.jpg with an index of what each shows: no name, no patient
    number, nothing that leads back to the patient."""
    from consult.protection import atomic
    from consult.services import photos

    folder = Path(args.out)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InvalidField("--out", f"{folder} must be a new or empty folder")
    user = signin.sign_in(args, database, "a marketing export")
    found = photos.marketing_photos(user)
    index = []
    for number, image in enumerate(found, start=1):
        name = f"photo-{number}.jpg"
        atomic.write_bytes(folder / name, image.jpeg)
        index.append({"file": name, "area": image.photo.area, "view": image.photo.view,
                      "stage": image.photo.stage})
    atomic.write_bytes(
        folder / "index.json", (json.dumps(index, ensure_ascii=False, indent=2) + "\n").encode()
    )
    print(f"{len(found)} photo(s) with marketing consent written to {folder}")
    return EXIT_OK
