"""`consult quote FILE [--json]`: price the course of sessions for a consultation file.

The file is screened first: areas the screening blocks are not quoted. Prices and clinic
settings come from the clinic database when one is chosen (--database,
CONSULT_DATABASE_URL) or the app's default database already exists; otherwise from the
defaults shipped in resources/prices.toml and resources/clinic.toml. Quote choices
(add-ons, paying up front, a manual discount, sessions) come from the file's optional
`quote` object.
"""

from __future__ import annotations

import argparse
import json
import sys

from consult import fileformat
from consult.catalogue import catalogue
from consult.cli import EXIT_OK, database_url
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
from consult.fileformat import Consultation
from consult.paths import default_database_file
from consult.pricing.options import options_from_consultation
from consult.pricing.prices import PriceList, default_price_list
from consult.pricing.quote import Quote, build_quote
from consult.pricing.settings import ClinicSettings, default_settings
from consult.pricing.text import quote_text

PROCEED = SEVERITIES[0]  # the least serious verdict: nothing to mention


def run(args: argparse.Namespace) -> int:
    consultation = fileformat.load(args.file)
    price_list, settings = pricing_sources(args)
    options = options_from_consultation(consultation, price_list)
    screening = screen(consultation)
    outcomes = area_outcomes(consultation, screening, override=has_override(consultation))
    # Declined areas are left out; areas that wait are quoted (they are planned for later).
    quote = build_quote(consultation, price_list, settings, options, excluded_areas(outcomes))
    if args.json:
        document = quote.to_json() | {
            "blocked_areas": list(screening.blocked_areas),
            "excluded_areas": [
                {"area": outcome.area, "rules": [f.rule for f in _declines(outcome)]}
                for outcome in outcomes
                if outcome.status == EXCLUDED
            ],
        }
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(_text(consultation, screening, outcomes, quote, settings))
    return EXIT_OK


def _declines(outcome: AreaOutcome) -> list[Finding]:
    return [finding for finding in outcome.findings if finding.severity == "decline"]


def _text(
    consultation: Consultation,
    screening: ScreeningResult,
    outcomes: tuple[AreaOutcome, ...],
    quote: Quote,
    settings: ClinicSettings,
) -> str:
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
    from consult.storage import prices, settings
    from consult.storage.db import Database

    with Database.open(url) as db:
        return prices.current_price_list(db), settings.get_settings(db).pricing
