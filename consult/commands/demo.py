"""`consult demo [--patients N] [--database URL]`: fill a new database with a demo clinic.

Creates the accounts (one manager, four practitioners, one reception), N patients with
consultations and quotes in every state, then prints the accounts' passwords once.
Refuses a database that already has patients or accounts.
"""

from __future__ import annotations

import argparse

from consult.app.cli import EXIT_OK, database_url


def run(args: argparse.Namespace) -> int:
    from consult.services import opening

    summary, location = opening.build_demo_clinic(
        database_url(args), patients=args.patients, seed=args.seed
    )
    print(f"Demo clinic written to {location}:")
    print(
        f"  {summary.patients:,} patients, {summary.consultations:,} consultations, "
        f"{summary.quotes:,} quotes"
    )
    print(f"  quotes by status:   {_counts(summary.quote_statuses)}")
    print(f"  quotes by approval: {_counts(summary.approvals)}")
    if summary.course is not None:
        course = summary.course
        print(
            f"  course: {course.sessions} signed sessions ({course.amendments} amended), "
            f"{course.devices} devices, {course.lots} lots, {course.bookings} bookings, "
            f"{course.photos} before/after photos"
        )
    print()
    print("Demo accounts (for trying the app only; the passwords are shown this once")
    print("and stored only as hashes; do not use these accounts for real patients):")
    width = max(len(account.username) for account in summary.accounts)
    for account in summary.accounts:
        print(
            f"  {account.username:<{width}}  {account.password}  "
            f"{account.role:<12}  {account.full_name}"
        )
    return EXIT_OK


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value:,}" for key, value in sorted(counts.items()))
