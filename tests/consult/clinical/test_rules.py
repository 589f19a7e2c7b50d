"""The rule table loads, and a mistake in it names the rule and the field."""

from __future__ import annotations

import json
import re

import pytest

from consult import data
from consult.clinical.rules import SEVERITIES, parse_rules, rule_table
from consult.errors import ConsultError

HEADER = """
[conditions]
smoker = { default_status = "now" }
tattoo = { default_status = "now" }
laser_or_peel = { default_status = "before" }

[unrecognised_history]
severity = "precautions"
message = "Unrecognised history item '{key}'."
action = "Ask."
source = "spec"
patient = "One answer is reviewed with you."
"""
GOOD_RULE = """
[[rule]]
id = "smoker"
condition = "smoker"
severity = "precautions"
message = "Smokes."
action = "Stop 2 weeks before."
source = "Seed 000"
patient = "Please stop smoking 2 weeks before."
"""


def test_the_clinic_table_loads_and_every_rule_cites_a_source() -> None:
    table = rule_table()
    assert len(table.rules) >= 40
    for rule in table.rules:
        assert rule.severity in SEVERITIES
        assert rule.source.strip() and rule.message.strip() and rule.action.strip()
        assert rule.patient.strip()
    assert rule_table() is table  # read once


def test_a_minimal_table_parses() -> None:
    table = parse_rules(HEADER + GOOD_RULE)
    assert [rule.id for rule in table.rules] == ["smoker"]
    assert table.default_status == {
        "smoker": "now",
        "tattoo": "now",
        "laser_or_peel": "before",
    }


BASE = {
    "id": "x",
    "condition": "smoker",
    "severity": "defer",
    "message": "m",
    "action": "a",
    "source": "s",
    "patient": "p",
}
DROP = object()  # marks a field left out


def rule_text(**changes: object) -> str:
    """A second [[rule]] after GOOD_RULE: BASE with `changes` (DROP leaves a field out)."""
    fields = {**BASE, **changes}
    lines = [f"{key} = {json.dumps(value)}" for key, value in fields.items() if value is not DROP]
    return HEADER + GOOD_RULE + "\n[[rule]]\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"severity": "urgent"}, "rule 'x': severity: 'urgent'"),
        ({"condition": "smoking"}, "rule 'x': condition: 'smoking'"),
        ({"window_weeeks": 2}, "rule 'x': unknown key 'window_weeeks'"),
        ({"source": DROP}, "rule 'x': source: is required"),
        ({"message": " "}, "rule 'x': message: must be non-empty"),
        ({"window_weeks": -2}, "rule 'x': window_weeks: -2"),
        ({"window_weeks": 2, "window_days": 3}, "rule 'x': window_weeks: only one time window"),
        ({"status": "active"}, "rule 'x': status: 'active'"),
        ({"treatment": "laser"}, "rule 'x': treatment: 'laser'"),
        ({"condition": "tattoo", "applies_to": ["elbow"]}, "rule 'x': applies_to: 'elbow'"),
        ({"condition": "tattoo", "area_specific": "yes"}, "rule 'x': area_specific: 'yes'"),
        # Notes never change a verdict: the old keyword matching is gone.
        ({"note_includes": ["ablative"]}, "rule 'x': unknown key 'note_includes'"),
        ({"patient": DROP}, "rule 'x': patient: is required"),
        ({"kinds": ["ipl"]}, "rule 'x': kinds: only a laser_or_peel rule"),
        (
            {"condition": "laser_or_peel", "kinds": ["co2"]},
            "rule 'x': kinds: 'co2' is not one of",
        ),
        ({"wait_weeks": 0}, "rule 'x': wait_weeks: 0"),
        ({"condition": DROP}, "rule 'x': needs a trigger"),
        ({"age_under": 18}, "rule 'x': age_under: only one trigger"),
        ({"condition": DROP, "age_under": 18, "window_days": 3}, "rule 'x': a time window needs"),
        (
            {"condition": DROP, "age_under": 18, "status": "now"},
            "rule 'x': status: only a condition",
        ),
        ({"condition": DROP, "fitzpatrick_at_least": 7}, "rule 'x': fitzpatrick_at_least: 7"),
        ({"condition": DROP, "area_requested": "eyes"}, "rule 'x': area_requested: must be"),
        ({"id": "smoker"}, "rule 'smoker': id is used twice"),
        ({"id": "Bad Id"}, "rule[1]: id: 'Bad Id'"),
    ],
)
def test_mistakes_name_the_rule_and_the_field(changes: dict[str, object], expected: str) -> None:
    with pytest.raises(ConsultError, match=re.escape(expected)):
        parse_rules(rule_text(**changes))


def test_the_rule_builder_makes_a_valid_rule() -> None:
    assert [rule.id for rule in parse_rules(rule_text()).rules] == ["smoker", "x"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[rule]\n", "not valid TOML"),
        (GOOD_RULE, "[conditions]"),
        (
            HEADER.replace('"now" }\ntattoo', '"always" }\ntattoo') + GOOD_RULE,
            "smoker.default_status",
        ),
        (HEADER.replace('severity = "precautions"', 'severity = "maybe"') + GOOD_RULE, "severity"),
        (HEADER, "at least one [[rule]]"),
        (HEADER + GOOD_RULE + "\n[extra]\nx = 1\n", "unknown key 'extra'"),
    ],
)
def test_table_level_mistakes(text: str, expected: str) -> None:
    with pytest.raises(ConsultError, match=re.escape(expected)):
        parse_rules(text)


def test_the_shipped_file_is_the_table_in_use() -> None:
    assert parse_rules(data.read_text("rules.toml")).rules == rule_table().rules
