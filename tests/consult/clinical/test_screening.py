"""Every rule of resources/rules.toml, the time windows at their boundaries, the examples."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from consult.clinical.fileformat import load
from consult.clinical.rules import SEVERITIES, rule_table
from consult.clinical.screening import Finding, ScreeningResult, screen
from tests.consult.clinical.factory import consultation

FACE = {"cheeks": ["acne_scars"], "forehead": ["fine_lines"]}
FACE_AND_BODY = {"cheeks": ["acne_scars"], "chest": ["texture"], "thighs": ["stretch_marks"]}


@dataclass(frozen=True)
class Case:
    """A consultation that triggers `rule`, and what the finding must say."""

    rule: str
    severity: str
    history: dict[str, Any] = field(default_factory=dict)
    areas: tuple[str, ...] = ()  # the finding's areas
    treatment: str = "microneedling"
    requested: dict[str, list[str]] = field(default_factory=lambda: dict(FACE_AND_BODY))
    born: str = "1980-06-15"
    fitzpatrick: int | None = 3

    def run(self) -> ScreeningResult:
        return screen(
            consultation(
                self.history,
                areas=self.requested,
                treatment=self.treatment,
                born=self.born,
                fitzpatrick=self.fitzpatrick,
            )
        )


RF = "rf_microneedling"
CASES = [
    Case("under_18", "decline", born="2009-01-01"),
    Case("age_18_to_21", "precautions", born="2005-01-01"),
    Case("fitzpatrick_v_vi", "precautions", fitzpatrick=5),
    Case("periorbital", "precautions", areas=("periorbital",), requested={"periorbital": []}),
    Case("pregnant", "defer", {"pregnant": True}),
    Case("breastfeeding", "defer", {"breastfeeding": True}),
    Case("anticoagulants", "clearance", {"anticoagulants": True}),
    Case("isotretinoin_current", "defer", {"isotretinoin": {"status": "current"}}),
    Case(
        "isotretinoin_recent",
        "clearance",
        {"isotretinoin": {"status": "past", "date": "2026-09-01"}},
    ),
    Case(
        "isotretinoin_recent_rf",
        "defer",
        {"isotretinoin": {"status": "past", "date": "2026-09-01"}},
        treatment=RF,
    ),
    Case(
        "topical_retinoids",
        "defer",
        {"topical_retinoids": {"date": "2026-11-18", "areas": ["cheeks"]}},
        areas=("cheeks",),
    ),
    Case("skin_cancer", "decline", {"skin_cancer": {"areas": ["chest"]}}, areas=("chest",)),
    Case("changing_mole", "defer", {"changing_mole": {"areas": ["thighs"]}}, areas=("thighs",)),
    Case("cold_sores_active", "defer", {"cold_sores": {"status": "active"}}),
    Case(
        "cold_sores_history",
        "precautions",
        {"cold_sores": {"status": "history"}},
        areas=("cheeks",),
    ),
    Case("skin_infection", "defer", {"skin_infection": {"areas": ["cheeks"]}}, areas=("cheeks",)),
    Case("warts", "defer", {"warts": {"areas": ["thighs"]}}, areas=("thighs",)),
    Case("active_acne", "defer", {"active_acne": True}, areas=("cheeks", "chest", "thighs")),
    Case(
        "eczema_psoriasis_active",
        "defer",
        {"eczema_psoriasis": {"status": "active", "areas": ["chest"]}},
        areas=("chest",),
    ),
    Case(
        "eczema_psoriasis_history",
        "precautions",
        {"eczema_psoriasis": {"status": "history", "areas": ["chest"]}},
        areas=("chest",),
    ),
    Case("rosacea_active", "defer", {"rosacea": {"status": "active"}}),
    Case("rosacea_history", "precautions", {"rosacea": {"status": "history"}}),
    Case(
        "sunburn",
        "defer",
        {"sunburn": {"date": "2026-11-15", "areas": ["chest"]}},
        areas=("chest",),
    ),
    Case("bleeding_disorder", "decline", {"bleeding_disorder": True}),
    Case("keloid_scarring", "decline", {"keloid_scarring": True}),
    Case("autoimmune_disease", "clearance", {"autoimmune_disease": True}),
    Case("immunosuppression", "clearance", {"immunosuppression": True}),
    Case("cancer_treatment_current", "defer", {"cancer_treatment": {"status": "current"}}),
    Case("cancer_treatment_past", "clearance", {"cancer_treatment": {"status": "past"}}),
    Case("diabetes_poorly_controlled", "defer", {"diabetes": {"status": "active"}}),
    Case("diabetes", "precautions", {"diabetes": True}),
    Case("allergy_metal", "decline", {"allergy_metal": True}),
    Case("allergy_anaesthetic", "precautions", {"allergy_anaesthetic": True}),
    Case(
        "botox_recent",
        "defer",
        {"botox": {"date": "2026-11-10", "areas": ["forehead", "cheeks"]}},
        areas=("cheeks",),
    ),
    Case(
        "dermal_filler_recent",
        "defer",
        {"dermal_filler": {"date": "2026-11-10", "areas": ["cheeks"]}},
        areas=("cheeks",),
    ),
    Case(
        "dermal_filler_recent_rf",
        "defer",
        {"dermal_filler": {"date": "2026-07-01", "areas": ["cheeks"]}},
        areas=("cheeks",),
        treatment=RF,
    ),
    Case(
        "dermal_filler_permanent_rf",
        "decline",
        {"dermal_filler": {"status": "current", "date": "2020-01-01", "areas": ["cheeks"]}},
        areas=("cheeks",),
        treatment=RF,
    ),
    Case(
        "laser_or_peel_ablative",
        "defer",
        {"laser_or_peel": {"date": "2026-10-01", "areas": ["cheeks"], "kind": "ablative_laser"}},
        areas=("cheeks",),
    ),
    Case(
        "laser_or_peel_recent",
        "defer",
        {"laser_or_peel": {"date": "2026-11-10", "kind": "non_ablative_laser"}},
        areas=("cheeks", "chest", "thighs"),
    ),
    Case(
        "laser_or_peel_kind_not_given",
        "defer",
        {"laser_or_peel": {"date": "2026-10-01", "areas": ["cheeks"]}},
        areas=("cheeks",),
    ),
    Case(
        "facial_surgery_recent_rf",
        "defer",
        {"facial_surgery": {"date": "2026-06-01"}},
        areas=("cheeks",),
        treatment=RF,
    ),
    Case(
        "facial_surgery_recent",
        "precautions",
        {"facial_surgery": {"date": "2026-06-01"}},
        areas=("cheeks",),
    ),
    Case("electronic_implant_rf", "decline", {"electronic_implant": True}, treatment=RF),
    Case(
        "metal_implant_rf",
        "decline",
        {"metal_implant": {"areas": ["thighs"]}},
        areas=("thighs",),
        treatment=RF,
    ),
    Case(
        "gold_threads_rf",
        "decline",
        {"gold_threads": {"areas": ["cheeks"]}},
        areas=("cheeks",),
        treatment=RF,
    ),
    Case("tattoo", "decline", {"tattoo": {"areas": ["chest"]}}, areas=("chest",)),
    Case("smoker", "precautions", {"smoker": True}),
]


def by_rule(result: ScreeningResult, rule: str) -> Finding:
    matches = [finding for finding in result.findings if finding.rule == rule]
    assert len(matches) == 1, f"{rule} found {len(matches)} times in {result.findings}"
    return matches[0]


def rules_fired(result: ScreeningResult) -> set[str]:
    return {finding.rule for finding in result.findings}


def test_every_rule_of_the_table_has_a_case() -> None:
    assert sorted(case.rule for case in CASES) == sorted(rule.id for rule in rule_table().rules)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.rule)
def test_rule_fires_with_its_severity_areas_and_words(case: Case) -> None:
    result = case.run()
    finding = by_rule(result, case.rule)
    assert finding.severity == case.severity
    assert finding.areas == case.areas
    assert finding.message.strip() and finding.action.strip() and finding.source.strip()
    assert SEVERITIES.index(result.verdict) >= SEVERITIES.index(case.severity)
    blocking = case.severity in ("defer", "decline")
    assert set(case.areas) <= set(result.blocked_areas) if blocking else True
    if not blocking:
        assert not set(finding.areas) & set(result.blocked_areas)


def test_a_clean_history_proceeds() -> None:
    assert screen(consultation({})).to_json() == {
        "verdict": "proceed",
        "findings": [],
        "blocked_areas": [],
    }


def test_an_explicit_no_never_triggers() -> None:
    every_no = {condition: False for condition in rule_table().conditions}
    every_no["newer_form_question"] = False
    assert screen(consultation(every_no, areas=FACE_AND_BODY)).findings == ()


# --------------------------------------------------------------------------- semantics


def test_anticoagulants_never_advise_stopping() -> None:
    finding = by_rule(screen(consultation({"anticoagulants": True})), "anticoagulants")
    text = f"{finding.message} {finding.action}".lower()
    assert "must not stop" in text and "never advise stopping" in text
    assert "stop taking" not in text and "stop your" not in text


def test_bleeding_disorder_names_the_haematology_exception() -> None:
    finding = by_rule(
        Case("bleeding_disorder", "decline", {"bleeding_disorder": True}).run(), "bleeding_disorder"
    )
    assert "haematologist" in finding.action


def test_isotretinoin_without_status_counts_as_current_and_asks() -> None:
    result = screen(consultation({"isotretinoin": True}))
    finding = by_rule(result, "isotretinoin_current")
    assert "No status given" in finding.message
    assert "isotretinoin_recent" not in rules_fired(result)


def test_status_of_a_single_status_rule_is_not_questioned() -> None:
    assert (
        "No status given" not in by_rule(screen(consultation({"smoker": True})), "smoker").message
    )


def test_ex_smoker_has_no_finding() -> None:
    assert screen(consultation({"smoker": {"status": "past"}})).findings == ()


def test_cold_sore_history_is_only_for_face_work() -> None:
    history = {"cold_sores": {"status": "history"}}
    assert screen(consultation(history, areas={"thighs": ["stretch_marks"]})).findings == ()
    finding = by_rule(screen(consultation(history, areas=FACE_AND_BODY)), "cold_sores_history")
    assert finding.areas == ("cheeks",)
    assert "antiviral" in finding.action.lower()


def test_area_specific_rule_outside_the_requested_areas_does_not_apply() -> None:
    history = {"tattoo": {"areas": ["back"]}, "skin_cancer": {"areas": ["scalp"]}}
    assert screen(consultation(history, areas=FACE)).findings == ()


def test_area_specific_rule_without_areas_covers_every_requested_area() -> None:
    result = screen(consultation({"tattoo": True}, areas=FACE))
    assert by_rule(result, "tattoo").areas == ("cheeks", "forehead")
    assert result.blocked_areas == ("cheeks", "forehead")


def test_rf_only_rules_leave_mechanical_needling_alone() -> None:
    history = {
        "electronic_implant": True,
        "metal_implant": {"areas": ["cheeks"]},
        "gold_threads": {"areas": ["cheeks"]},
        "dermal_filler": {"status": "current", "date": "2020-01-01", "areas": ["cheeks"]},
    }
    assert screen(consultation(history)).findings == ()
    rf = screen(consultation(history, treatment=RF))
    assert rules_fired(rf) == {
        "electronic_implant_rf",
        "metal_implant_rf",
        "gold_threads_rf",
        "dermal_filler_permanent_rf",
    }


def test_ordinary_old_filler_is_fine_for_rf() -> None:
    history = {"dermal_filler": {"date": "2025-01-01", "areas": ["cheeks"]}}
    assert screen(consultation(history, treatment=RF)).findings == ()


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("non_ablative_laser", "laser_or_peel_recent"),
        ("ipl", "laser_or_peel_recent"),
        ("rf", "laser_or_peel_recent"),
        ("superficial_peel", "laser_or_peel_recent"),
        ("medium_peel", "laser_or_peel_ablative"),
        ("deep_peel", "laser_or_peel_ablative"),
        ("ablative_laser", "laser_or_peel_ablative"),
        ("dermabrasion", "laser_or_peel_ablative"),
    ],
)
def test_laser_kind_decides_the_window(kind: str, rule: str) -> None:
    history = {"laser_or_peel": {"date": "2026-11-10", "kind": kind}}
    assert rules_fired(screen(consultation(history))) == {rule}


@pytest.mark.parametrize(
    "note", ["deep TCA peel", "dermabrasion", "Fraxel Re:pair", "medium-depth peel", "IPL"]
)
def test_five_weeks_ago_of_an_unknown_kind_is_screened_as_ablative(note: str) -> None:
    # Spec: a missing kind is never guessed from the note; within the longest window it is
    # the most cautious kind, and the finding asks what was done.
    history = {"laser_or_peel": {"date": "2026-10-16", "note": note}}
    result = screen(consultation(history))
    finding = by_rule(result, "laser_or_peel_kind_not_given")
    assert finding.severity == "defer" and result.verdict == "defer"
    assert finding.rebook_on == date(2027, 1, 16)
    assert "confirm" in finding.action.lower()


@pytest.mark.parametrize("note", ["CO2 laser", "deep peel (phenol)", "not ablative", ""])
def test_a_note_never_changes_the_verdict(note: str) -> None:
    for kind in ("ipl", "deep_peel"):
        entry = {"date": "2026-10-16", "kind": kind}
        bare = screen(consultation({"laser_or_peel": entry}))
        noted = screen(consultation({"laser_or_peel": {**entry, "note": note}}))
        assert (noted.verdict, noted.blocked_areas) == (bare.verdict, bare.blocked_areas)
        assert rules_fired(noted) == rules_fired(bare)


def test_windowed_rule_without_a_date_applies_and_asks_for_the_date() -> None:
    result = screen(consultation({"sunburn": True}, areas=FACE))
    finding = by_rule(result, "sunburn")
    # Spec: a yes without the date its window needs is inside the window. The event can
    # have been today at the latest, so the window may run until 2 weeks from today.
    assert finding.rebook_on == date(2026, 12, 4)
    assert "date was not given" in finding.message and "2 weeks" in finding.message
    assert result.blocked_areas == ("cheeks", "forehead")


@pytest.mark.parametrize(
    ("condition", "entry", "rule"),
    [
        ("isotretinoin", {"status": "past"}, "isotretinoin_recent"),
        ("topical_retinoids", {}, "topical_retinoids"),
        ("botox", {}, "botox_recent"),
        ("dermal_filler", {}, "dermal_filler_recent"),
        ("laser_or_peel", {"kind": "ipl"}, "laser_or_peel_recent"),
        ("laser_or_peel", {}, "laser_or_peel_kind_not_given"),
        ("facial_surgery", {}, "facial_surgery_recent"),
    ],
)
def test_every_dated_rule_without_its_date_applies_and_asks(
    condition: str, entry: dict[str, Any], rule: str
) -> None:
    finding = by_rule(screen(consultation({condition: entry or True})), rule)
    assert "ask for the date" in finding.message
    assert finding.rebook_on is not None and finding.rebook_on > date(2026, 11, 20)


def test_patient_note_is_shown_to_the_practitioner() -> None:
    history = {"anticoagulants": {"note": "apixaban 5 mg twice daily"}}
    assert "apixaban" in by_rule(screen(consultation(history)), "anticoagulants").message


def test_unrecognised_history_is_reviewed_not_ignored() -> None:
    result = screen(consultation({"hair_dye": {"date": "2026-11-01"}, "smoker": True}))
    finding = by_rule(result, "unrecognised_history")
    assert finding.severity == "precautions"
    assert "'hair_dye'" in finding.message and "review with the patient" in finding.message
    assert finding.areas == ()


def test_findings_are_ordered_most_serious_first_then_table_order() -> None:
    history = {
        "smoker": True,
        "tattoo": {"areas": ["chest"]},
        "anticoagulants": True,
        "pregnant": True,
        "allergy_anaesthetic": True,
        "keloid_scarring": True,
    }
    result = screen(consultation(history, areas=FACE_AND_BODY))
    assert [finding.rule for finding in result.findings] == [
        "keloid_scarring",
        "tattoo",
        "pregnant",
        "anticoagulants",
        "allergy_anaesthetic",
        "smoker",
    ]
    assert result.verdict == "decline"


@pytest.mark.parametrize(
    ("history", "born"),
    [
        ({"pregnant": True}, "1980-06-15"),
        ({}, "2010-01-01"),
        ({"keloid_scarring": True}, "1980-06-15"),
        ({"bleeding_disorder": True}, "1980-06-15"),
        ({"cold_sores": {"status": "active"}}, "1980-06-15"),
        ({"isotretinoin": {"status": "current"}}, "1980-06-15"),
        ({"cancer_treatment": {"status": "current"}}, "1980-06-15"),
        ({"anticoagulants": True}, "1980-06-15"),
    ],
)
def test_whole_treatment_findings_block_every_area(history: dict[str, Any], born: str) -> None:
    # Spec (blocked_areas): a clearance, defer or decline about the whole treatment keeps
    # every requested area from being treated today.
    result = screen(consultation(history, areas=FACE_AND_BODY, born=born))
    assert result.blocked_areas == ("cheeks", "chest", "thighs")


def test_pacemaker_with_rf_blocks_every_area() -> None:
    result = screen(consultation({"electronic_implant": True}, areas=FACE, treatment=RF))
    assert result.blocked_areas == ("cheeks", "forehead")


# --------------------------------------------------------------------------- age


@pytest.mark.parametrize(
    ("born", "rule"),
    [
        ("2008-11-21", "under_18"),  # 18 tomorrow
        ("2008-11-20", "age_18_to_21"),  # 18 today
        ("2004-11-21", "age_18_to_21"),  # 22 tomorrow
        ("2004-11-20", None),  # 22 today
    ],
)
def test_age_is_counted_on_the_consultation_date(born: str, rule: str | None) -> None:
    fired = rules_fired(screen(consultation(born=born)))
    assert fired == ({rule} if rule else set())


@pytest.mark.parametrize(
    ("fitzpatrick", "fires"), [(None, False), (4, False), (5, True), (6, True)]
)
def test_fitzpatrick(fitzpatrick: int | None, fires: bool) -> None:
    fired = rules_fired(screen(consultation(fitzpatrick=fitzpatrick)))
    assert ("fitzpatrick_v_vi" in fired) is fires


# --------------------------------------------------------------------------- windows


@dataclass(frozen=True)
class Window:
    rule: str
    condition: str
    entry: dict[str, Any]
    last: date  # the entry's date
    boundary: date  # the first day the rule no longer applies (worked out by hand)
    treatment: str = "microneedling"


WINDOWS = [
    Window(
        "isotretinoin_recent",
        "isotretinoin",
        {"status": "past"},
        date(2026, 5, 20),
        date(2026, 11, 20),
    ),
    Window(
        "isotretinoin_recent_rf",
        "isotretinoin",
        {"status": "past"},
        date(2026, 8, 1),
        date(2027, 2, 1),
        RF,
    ),
    Window("topical_retinoids", "topical_retinoids", {}, date(2026, 11, 10), date(2026, 11, 17)),
    Window("sunburn", "sunburn", {}, date(2026, 11, 1), date(2026, 11, 15)),
    Window("botox_recent", "botox", {}, date(2026, 11, 1), date(2026, 11, 15)),
    Window("dermal_filler_recent", "dermal_filler", {}, date(2026, 12, 25), date(2027, 1, 8)),
    Window(
        "dermal_filler_recent_rf", "dermal_filler", {}, date(2026, 5, 31), date(2026, 11, 30), RF
    ),
    # 6–12 weeks / 3 months in the facts: the upper bound, 3 calendar months.
    Window(
        "laser_or_peel_ablative",
        "laser_or_peel",
        {"kind": "ablative_laser"},
        date(2026, 9, 1),
        date(2026, 12, 1),
    ),
    Window(
        "laser_or_peel_recent",
        "laser_or_peel",
        {"kind": "ipl"},
        date(2026, 11, 1),
        date(2026, 11, 22),
    ),
    Window(
        "laser_or_peel_kind_not_given",
        "laser_or_peel",
        {},
        date(2026, 9, 1),
        date(2026, 12, 1),
    ),
    Window(
        "facial_surgery_recent_rf", "facial_surgery", {}, date(2024, 2, 29), date(2025, 2, 28), RF
    ),
    Window("facial_surgery_recent", "facial_surgery", {}, date(2025, 12, 15), date(2026, 12, 15)),
]


def test_every_windowed_rule_is_tested_at_its_boundary() -> None:
    windowed = {rule.id for rule in rule_table().rules if rule.window is not None}
    assert {window.rule for window in WINDOWS} == windowed


@pytest.mark.parametrize("window", WINDOWS, ids=lambda window: window.rule)
@pytest.mark.parametrize("offset", [-1, 0, 1], ids=["day before", "on", "day after"])
def test_window_boundary(window: Window, offset: int) -> None:
    day = window.boundary + timedelta(days=offset)
    entry = {**window.entry, "date": window.last.isoformat()}
    result = screen(
        consultation({window.condition: entry}, treatment=window.treatment, day=day.isoformat())
    )
    fired = [finding for finding in result.findings if finding.rule == window.rule]
    if offset < 0:
        assert len(fired) == 1
        assert fired[0].rebook_on == window.boundary
        assert window.boundary.isoformat() in fired[0].action
    else:
        assert fired == []


def test_six_months_from_the_end_of_a_month_ends_on_the_last_day() -> None:
    history = {"isotretinoin": {"status": "past", "date": "2026-08-31"}}
    result = screen(consultation(history, treatment=RF, day="2027-02-27"))
    assert by_rule(result, "isotretinoin_recent_rf").rebook_on == date(2027, 2, 28)
    late = screen(consultation(history, treatment=RF, day="2027-02-28"))
    assert "isotretinoin_recent_rf" not in rules_fired(late)


def test_window_at_the_end_of_the_calendar_does_not_crash() -> None:
    history = {"sunburn": {"date": "9999-12-25"}}
    finding = by_rule(screen(consultation(history, day="9999-12-30")), "sunburn")
    assert finding.rebook_on == date.max


# --------------------------------------------------------------------------- examples


def test_rf_with_history_example(examples) -> None:
    result = screen(load(examples / "rf-with-history.json"))
    assert result.verdict == "decline"
    # The isotretinoin defer and the anticoagulant clearance are about the whole treatment.
    assert result.blocked_areas == ("jawline", "chest")
    isotretinoin = by_rule(result, "isotretinoin_recent_rf")
    assert (isotretinoin.severity, isotretinoin.rebook_on) == ("defer", date(2027, 2, 1))
    assert "2027-02-01" in isotretinoin.action
    assert by_rule(result, "anticoagulants").severity == "clearance"
    tattoo = by_rule(result, "tattoo")
    assert (tattoo.severity, tattoo.areas) == ("decline", ("chest",))
    assert rules_fired(result) == {"isotretinoin_recent_rf", "anticoagulants", "tattoo"}


def test_acne_scars_example(examples) -> None:
    result = screen(load(examples / "acne-scars.json"))
    assert result.verdict == "precautions"
    assert rules_fired(result) == {"cold_sores_history", "smoker"}
    assert by_rule(result, "cold_sores_history").areas == ("cheeks", "forehead")
    assert result.blocked_areas == ()


def test_json_is_the_spec_shape(examples) -> None:
    document = json.loads(json.dumps(screen(load(examples / "acne-scars.json")).to_json()))
    assert set(document) == {"verdict", "findings", "blocked_areas"}
    for finding in document["findings"]:
        assert {"rule", "severity", "areas", "message", "action", "source"} <= set(finding)
        assert isinstance(finding["areas"], list)
