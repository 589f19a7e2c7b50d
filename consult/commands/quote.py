"""`consult quote FILE… [--json]`: price the course of sessions for consultation files.

The file is screened first: areas the screening blocks are not quoted. Prices and clinic
settings come from the clinic database when one is chosen (--database,
CONSULT_DATABASE_URL) or the app's default database already exists; otherwise from the
defaults shipped in resources/prices.toml and resources/clinic.toml. Quote choices
(add-ons, paying up front, a manual discount, sessions) come from the file's optional
`quote` object. Several files or a folder: see consult.commands.batch.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from consult.app.cli import EXIT_BAD_INPUT, EXIT_OK, database_url
from consult.app.paths import default_database_file
from consult.clinic.settings import ClinicSettings, default_settings
from consult.clinical import fileformat
from consult.clinical.catalogue import catalogue
from consult.clinical.fileformat import Consultation
from consult.clinical.outcome import (
    EXCLUDED,
    TODAY,
    AreaOutcome,
    area_outcomes,
    excluded_areas,
    has_override,
)
from consult.clinical.rules import SEVERITIES
from consult.clinical.screening import Finding, ScreeningResult, screen
from consult.commands import batch
from consult.pricing.options import options_from_consultation
from consult.pricing.prices import PriceList, default_price_list
from consult.pricing.quote import Quote, build_quote
from consult.pricing.text import quote_text

PROCEED = SEVERITIES[0]  # the least serious verdict: nothing to mention


def run(args: argparse.Namespace) -> int:
    inputs = batch.expand(args.files)
    if not inputs.several:
        consultation = fileformat.load(inputs.files[0])
        price_list, settings = pricing_sources(args)
        answer = _quoted(consultation, price_list, settings)
        if args.json:
            sys.stdout.write(json.dumps(_json(answer), ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(_text(answer, settings))
        return EXIT_OK
    price_list, settings = pricing_sources(args)  # once for every file

    def one(file: Path) -> Quoted:
        return _quoted(fileformat.load(file), price_list, settings)

    answers, good = batch.each(inputs, one)
    if args.json:
        listed = [None if answer is None else _json(answer) for answer in answers]
        sys.stdout.write(json.dumps(listed, ensure_ascii=False, indent=2) + "\n")
    else:
        texts = [None if answer is None else _text(answer, settings) for answer in answers]
        sys.stdout.write(batch.texts(inputs, texts) + "\n")
    return EXIT_OK if good else EXIT_BAD_INPUT


# One file's answer: the consultation, its screening, each area's outcome and the quote.
Quoted = tuple[Consultation, ScreeningResult, tuple[AreaOutcome, ...], Quote]


def _quoted(
    consultation: Consultation, price_list: PriceList, settings: ClinicSettings
) -> Quoted:
    options = options_from_consultation(consultation, price_list)
    screening = screen(consultation)
    outcomes = area_outcomes(consultation, screening, override=has_override(consultation))
    # Declined areas are left out; areas that wait are quoted (they are planned for later).
    quote = build_quote(consultation, price_list, settings, options, excluded_areas(outcomes))
    return consultation, screening, outcomes, quote


def _json(answer: Quoted) -> dict[str, object]:
    _, screening, outcomes, quote = answer
    return quote.to_json() | {
        "blocked_areas": list(screening.blocked_areas),
        "excluded_areas": [
            {"area": outcome.area, "rules": [f.rule for f in _declines(outcome)]}
            for outcome in outcomes
            if outcome.status == EXCLUDED
        ],
    }


def _declines(outcome: AreaOutcome) -> list[Finding]:
    return [finding for finding in outcome.findings if finding.severity == "decline"]


def _text(answer: Quoted, settings: ClinicSettings) -> str:
    consultation, screening, outcomes, quote = answer
    treatment = catalogue().treatments[consultation.treatment]
    title = (
        f"Quote for {consultation.patient.name}: {treatment}, "
        f"consultation of {consultation.consultation_date.isoformat()}"
    )
    text = quote_text(quote, settings, title)
    for outcome in outcomes:
        if outcome.status == EXCLUDED:
            label = catalogue().area(outcome.area).label
            reasons = ", ".join(finding.rule for finding in _declines(outcome))
            text += f"Not quoted (left out by the screening): {label} ({reasons}).\n"
    waiting = [
        catalogue().area(outcome.area).label
        for outcome in outcomes
        if outcome.status not in (EXCLUDED, TODAY)
    ]
    if waiting:
        text += f"Quoted for later (not today): {', '.join(waiting)}.\n"
    if screening.verdict != PROCEED:
        text += f"Screening verdict: {screening.verdict} (see `consult check`).\n"
    return text


def pricing_sources(args: argparse.Namespace) -> tuple[PriceList, ClinicSettings]:
    """The price list and settings: the clinic database's if there is one, else the defaults."""
    url = database_url(args)
    if url is None and not default_database_file().exists():
        return default_price_list(), default_settings()
    return _from_database(url)


def _from_database(url: str | None) -> tuple[PriceList, ClinicSettings]:
    # Imported here so pricing a file without a database never loads SQLAlchemy.
    from consult.services import opening

    return opening.clinic_pricing(url)
