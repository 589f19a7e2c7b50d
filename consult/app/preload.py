"""Read every data file a consultation uses, ahead of the first consultation.

Each loader parses its file (TOML, SVG) once and keeps the result. The app calls
`consultation_data` on a background thread while the practitioner looks for a patient,
so no consultation screen waits on a parse: the questionnaire alone took 14 ms of the
moment the first consultation opened. Pure Python, no Qt.
"""

from __future__ import annotations

from consult.clinical import maps
from consult.clinical.catalogue import catalogue
from consult.clinical.courses import course_table
from consult.clinical.depths import depth_table
from consult.clinical.questionnaire import questionnaire
from consult.clinical.rules import rule_table
from consult.pricing.prices import default_price_list


def consultation_data() -> None:
    """Load (and so check) the catalogue, questionnaire, rules, depths, courses, prices, maps."""
    catalogue()
    questionnaire()
    rule_table()
    depth_table()
    course_table()
    default_price_list()
    for view in maps.VIEWS:
        maps.load(view)
