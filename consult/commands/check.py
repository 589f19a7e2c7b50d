"""`consult check FILE… [--json]`: screen consultation files for contraindications.

Several files or a folder: see consult.commands.batch.

Exit 0 whatever the verdict (the verdict is the answer, not a failure); a bad file is a
`ConsultError`, which the command line turns into one `error: …` line and exit 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from consult.app.cli import EXIT_BAD_INPUT, EXIT_OK
from consult.clinical import fileformat
from consult.clinical.catalogue import catalogue
from consult.clinical.fileformat import Consultation
from consult.clinical.outcome import (
    EXCLUDED,
    AreaOutcome,
    area_outcomes,
    first_session_line,
    planned_areas,
)
from consult.clinical.screening import SEVERITY_WORDS, Finding, ScreeningResult, screen
from consult.commands import batch


def run(args: argparse.Namespace) -> int:
    inputs = batch.expand(args.files)
    if not inputs.several:
        consultation, result = _screened(inputs.files[0])
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        else:
            print(render_text(consultation, result))
        return EXIT_OK
    answers, good = batch.each(inputs, _screened)
    if args.json:
        listed = [None if answer is None else answer[1].to_json() for answer in answers]
        print(json.dumps(listed, ensure_ascii=False, indent=2))
    else:
        print(batch.texts(inputs, [None if a is None else render_text(*a) for a in answers]))
    return EXIT_OK if good else EXIT_BAD_INPUT


def _screened(file: Path) -> tuple[Consultation, ScreeningResult]:
    consultation = fileformat.load(file)
    return consultation, screen(consultation)


def render_text(consultation: Consultation, result: ScreeningResult) -> str:
    """The screening for a person to read."""
    known = catalogue()
    lines = [
        f"{consultation.patient.name}: {known.treatments[consultation.treatment]},"
        f" {consultation.consultation_date.isoformat()}",
        f"Verdict: {SEVERITY_WORDS[result.verdict]}",
        "",
    ]
    if not result.findings:
        lines.append("No findings.")
    for number, finding in enumerate(result.findings, start=1):
        where = ", ".join(_area_label(area) for area in finding.areas) or "whole treatment"
        lines.append(f"{number}. {finding.severity.upper()}: {finding.rule} ({where})")
        lines.append(f"   {finding.message}")
        lines.append(f"   Action: {finding.action}")
        lines.append(f"   Source: {finding.source}")
    lines.extend(["", "Areas:"])
    outcomes = area_outcomes(consultation, result)
    lines.extend(f"  {area_line(outcome)}" for outcome in outcomes)
    if planned_areas(outcomes):
        lines.append(first_session_line(consultation, result))
    blocked = ", ".join(_area_label(area) for area in result.blocked_areas) or "none"
    lines.extend(["", f"Blocked areas: {blocked}"])
    return "\n".join(lines)


def area_line(outcome: AreaOutcome) -> str:
    """`Cheeks: can be treated today` or `Chest: not today: …` with the reasons."""
    label = _area_label(outcome.area)
    if outcome.today:
        return f"{label}: can be treated today"
    if outcome.status == EXCLUDED:
        declined = [f for f in outcome.findings if f.severity == "decline"]
        return f"{label}: not today, left out of the treatment: " + "; ".join(
            _reason(finding) for finding in declined
        )
    reasons = "; ".join(_reason(finding) for finding in outcome.findings)
    when = f" (from {outcome.earliest.isoformat()})" if outcome.earliest else ""
    return f"{label}: not today{when}: {reasons}"


def _reason(finding: Finding) -> str:
    if finding.severity == "clearance":
        return f"{finding.rule}, after written clearance"
    if finding.rebook_on is not None and finding.severity == "defer":
        return f"{finding.rule}, until {finding.rebook_on.isoformat()}"
    return f"{finding.rule} ({finding.severity})"


def _area_label(area: str) -> str:
    return catalogue().area(area).label
