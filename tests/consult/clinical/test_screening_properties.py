"""Properties of screening over generated consultations (hypothesis)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from consult.clinical import fileformat
from consult.clinical.catalogue import catalogue
from consult.clinical.rules import RANK, rule_table
from consult.clinical.screening import screen
from consult.protection.safe_text import BIDI_CONTROLS

DAY = date(2026, 11, 20)
AREAS = list(catalogue().areas)
CONCERNS = list(catalogue().concerns)
CONDITIONS = list(rule_table().conditions)
# Notes are free text a person typed: printable characters (control characters and the
# bidirectional controls are refused by the file format itself, which its own tests cover).
TYPED = st.text(
    st.characters(
        min_codepoint=32,
        blacklist_categories=("Cs", "Cc"),
        blacklist_characters=sorted(BIDI_CONTROLS),
    ),
    max_size=30,
)
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=20)

dates = st.dates(min_value=DAY - timedelta(days=800), max_value=DAY + timedelta(days=30))


@st.composite
def answers(draw: st.DrawFn) -> Any:
    """One history answer as an intake form might write it, odd extra fields included."""
    if draw(st.booleans()):
        return draw(st.booleans())
    entry: dict[str, Any] = {}
    if draw(st.booleans()):
        entry["status"] = draw(st.sampled_from(fileformat.STATUSES))
    if draw(st.booleans()):
        entry["date"] = draw(dates).isoformat()
    if draw(st.booleans()):
        entry["areas"] = draw(st.lists(st.sampled_from(AREAS), max_size=4))
    if draw(st.booleans()):
        entry["note"] = draw(
            st.sampled_from(["CO2 laser", "non-ablative", "IPL", "deep peel", ""]) | TYPED
        )
    extra = draw(st.dictionaries(st.text(min_size=1, max_size=8), JSON_SCALARS, max_size=2))
    return {
        **{k: v for k, v in extra.items() if k not in ("status", "date", "areas", "note")},
        **entry,
    }


unknown_keys = st.text(min_size=1, max_size=12).filter(lambda key: key not in CONDITIONS)
history_keys = st.sampled_from(CONDITIONS) | unknown_keys


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    areas = draw(st.lists(st.sampled_from(AREAS), min_size=1, max_size=5, unique=True))
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=DAY))
    patient: dict[str, Any] = {"name": "P", "date_of_birth": born.isoformat()}
    fitzpatrick = draw(st.none() | st.integers(1, 6))
    if fitzpatrick is not None:
        patient["fitzpatrick"] = fitzpatrick
    return {
        "format": "consult/1",
        "consultation_date": DAY.isoformat(),
        "patient": patient,
        "treatment": draw(st.sampled_from(list(catalogue().treatments))),
        "areas": [
            {"area": area, "concerns": draw(st.lists(st.sampled_from(CONCERNS), max_size=3))}
            for area in areas
        ],
        "history": draw(st.dictionaries(history_keys, answers(), max_size=8)),
        **draw(st.dictionaries(st.sampled_from(["intake", "version", "x-form"]), JSON_SCALARS)),
    }


@settings(max_examples=200, deadline=None)
@given(documents(), history_keys, answers())
def test_adding_a_condition_never_lowers_the_verdict(document: dict, key: str, answer: Any) -> None:
    document["history"].pop(key, None)
    before = screen(fileformat.from_dict(document))
    document["history"][key] = answer
    after = screen(fileformat.from_dict(document))
    assert RANK[after.verdict] >= RANK[before.verdict]
    assert set(after.blocked_areas) >= set(before.blocked_areas)


@settings(max_examples=200, deadline=None)
@given(documents())
def test_the_verdict_is_the_most_serious_finding(document: dict) -> None:
    consultation = fileformat.from_dict(document)
    result = screen(consultation)
    ranks = [RANK[finding.severity] for finding in result.findings]
    assert RANK[result.verdict] == max(ranks, default=RANK["proceed"])
    assert ranks == sorted(ranks, reverse=True)
    requested = consultation.area_ids
    assert list(result.blocked_areas) == [
        area for area in requested if area in result.blocked_areas
    ]
    for finding in result.findings:
        assert set(finding.areas) <= set(requested)
    # Spec: clearance, defer or decline block their areas, or every area for the whole treatment.
    stopping = [f for f in result.findings if RANK[f.severity] >= RANK["clearance"]]
    named = {area for f in stopping for area in (f.areas or requested)}
    assert set(result.blocked_areas) == named


@settings(max_examples=200, deadline=None)
@given(documents())
def test_unknown_keys_and_extra_fields_never_crash(document: dict) -> None:
    result = screen(fileformat.loads(json.dumps(document)))
    text = json.dumps(result.to_json())
    assert json.loads(text)["verdict"] == result.verdict
    unknown = [
        key
        for key, answer in document["history"].items()
        if key not in CONDITIONS and answer is not False
    ]
    flagged = [f for f in result.findings if f.rule == "unrecognised_history"]
    assert len(flagged) == len(unknown)
