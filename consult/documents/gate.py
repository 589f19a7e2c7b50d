"""What the screening lets the documents do: print, sign, or neither.

One rule for the app and the command line (spec: what `documents` must refuse):
- every requested area blocked today by a `defer` or `decline` finding, with no
  recorded override: nothing is printed or signed;
- a `clearance` still required, with no recorded override: the plan and a consent
  marked "not valid until clearance is received" may be printed, nothing signed.
"""

from __future__ import annotations

from collections.abc import Iterable

from consult.clinical.screening import ScreeningResult
from consult.errors import ConsultError

STOPPING = ("defer", "decline")


def stopped_areas(screening: ScreeningResult, requested: Iterable[str]) -> set[str]:
    """The requested areas a defer or decline finding keeps from treatment today."""
    wanted = set(requested)
    return {
        area
        for finding in screening.findings
        if finding.severity in STOPPING
        for area in (finding.areas or wanted)
        if area in wanted
    }


def needs_clearance(screening: ScreeningResult) -> bool:
    return any(finding.severity == "clearance" for finding in screening.findings)


def check_printable(
    screening: ScreeningResult, requested: Iterable[str], override_reason: str = ""
) -> None:
    """Refuse documents for a consultation the screening stops entirely."""
    wanted = set(requested)
    if override_reason.strip() or not wanted:
        return
    if wanted <= stopped_areas(screening, wanted):
        raise ConsultError(
            f"the screening verdict is {screening.verdict} for every requested area, so there "
            "is nothing to plan or consent to today; record a screening_override reason to "
            "go ahead (see `consult check`)"
        )


def check_signable(
    screening: ScreeningResult, requested: Iterable[str], override_reason: str = ""
) -> None:
    """Refuse signatures while the screening stops treatment or a clearance is missing."""
    check_printable(screening, requested, override_reason)
    if not override_reason.strip() and needs_clearance(screening):
        raise ConsultError(
            "a physician's clearance is still required: the plan and the consent can be "
            "printed, but nothing can be signed until the clearance is received (or a "
            "screening_override reason is recorded)"
        )
