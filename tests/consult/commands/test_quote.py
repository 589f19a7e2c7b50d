"""`consult quote FILE [--json]` through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from consult.access import command_line_actor
from consult.app.cli import main
from consult.storage import prices, settings
from consult.storage.db import Database
from tests.consult.pricing.builders import ACNE_SCARS_QUOTE

NBSP = "\u00a0"
ACNE_SCARS_JSON = {**ACNE_SCARS_QUOTE, "blocked_areas": [], "excluded_areas": []}

ACNE_SCARS_TEXT = """\
Quote for Ana Souza: Micro-needling (mechanical pen), consultation of 2026-11-20
Course: 4 sessions, 4 weeks apart

Item                                             Sessions  Per session     Amount
---------------------------------------------------------------------------------
Face — cheeks, forehead: micro-needling session         4      $199.00    $796.00
Neck: micro-needling session                            4       $75.00    $300.00
---------------------------------------------------------------------------------
                                                              Subtotal  $1,096.00
                                                                 Total  $1,096.00

Valid until 2026-12-20.
Screening verdict: precautions (see `consult check`).
"""


def run_quote(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["quote", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def refuse_float(text: str) -> None:
    raise AssertionError(f"a float in the JSON: {text}")


def with_quote_choices(
    examples: Path, folder: Path, choices: object, name: str = "example"
) -> Path:
    document = json.loads((examples / "acne-scars.json").read_text(encoding="utf-8"))
    document["quote"] = choices
    path = folder / f"{name}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_spec_example_json(capsys, data_dir, examples):
    code, out, err = run_quote(capsys, str(examples / "acne-scars.json"), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == ACNE_SCARS_JSON
    assert not (data_dir / "clinic.sqlite3").exists()  # no database was created on the way


def test_spec_example_table(capsys, data_dir, examples):
    code, out, err = run_quote(capsys, str(examples / "acne-scars.json"))
    assert (code, err) == (0, "")
    assert out == ACNE_SCARS_TEXT


def test_declined_areas_are_not_quoted(capsys, data_dir, examples):
    # The tattoo on the chest declines it: only the jawline (face) is priced. The jawline
    # waits (isotretinoin, a clearance) but is planned for later, so it is quoted.
    code, out, _ = run_quote(capsys, str(examples / "rf-with-history.json"), "--json")
    document = json.loads(out)
    assert code == 0
    assert document["blocked_areas"] == ["jawline", "chest"]
    assert document["excluded_areas"] == [{"area": "chest", "rules": ["tattoo"]}]
    assert [line["item"] for line in document["lines"]] == ["face"]
    assert document["lines"][0]["unit_price"] == "599.00"
    code, out, _ = run_quote(capsys, str(examples / "rf-with-history.json"))
    assert "Not quoted (left out by the screening): Chest (décolleté) (tattoo)." in out
    assert "Quoted for later (not today): Jawline." in out
    assert "Screening verdict: decline" in out


def test_quote_choices_in_the_file(capsys, data_dir, examples, tmp_path):
    choices = {"add_ons": ["numbing"], "pay_upfront": True, "manual_discount_percent": "12.5"}
    path = with_quote_choices(examples, tmp_path, choices)
    code, out, _ = run_quote(capsys, str(path), "--json")
    document = json.loads(out)
    assert code == 0
    assert document["lines"][2] == {
        "kind": "addon",
        "item": "numbing",
        "description": "Numbing cream before each session",
        "unit_price": "25.00",
        "quantity": 4,
        "amount": "100.00",
    }
    # 1196.00 − 10 % up front (119.60) − 12.5 % (149.50)
    assert (document["subtotal"], document["discount"], document["total"]) == (
        "1196.00",
        "269.10",
        "926.90",
    )
    assert document["needs_approval"] is True
    _, text, _ = run_quote(capsys, str(path))
    assert "Course paid up front (10 % off)   -$119.60" in text
    assert (
        "Needs manager approval: the manual discount of 12.5 % is over the clinic's 10 % limit."
        in text
    )


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"add_ons": ["gold"]}, 'error: quote.add_ons[0]: "gold" is not an add-on'),
        ({"manual_discount_percent": "150"}, "error: quote.manual_discount_percent: "),
        ({"sessions": "four"}, "error: quote.sessions: 'four' must be a whole number"),
        ({"pay_up_front": True}, "error: quote.pay_up_front: is not a quote choice"),
    ],
)
def test_bad_quote_choices_exit_2_naming_the_field(
    capsys, data_dir, examples, tmp_path, choices, message
):
    path = with_quote_choices(examples, tmp_path, choices)
    code, out, err = run_quote(capsys, str(path), "--json")
    assert (code, out) == (2, "")
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_missing_file_exits_2(capsys, data_dir, tmp_path):
    code, _, err = run_quote(capsys, str(tmp_path / "nowhere.json"))
    assert code == 2
    assert err == f"error: {tmp_path / 'nowhere.json'}: no such file\n"


def test_prices_and_settings_come_from_the_chosen_database(capsys, data_dir, examples, tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    manager = command_line_actor("manager")
    with Database.open(url) as db:
        current = prices.current_price_list(db)
        dearer = current.with_prices(None, {("microneedling", "face"): Decimal("249.00")})
        prices.new_version(db, manager, dearer, note="face up", based_on=current.version)
        stored = settings.get_settings(db)
        taxed = replace(stored.pricing, tax_rate=Decimal("0.0825"), currency="EUR", locale="de_DE")
        settings.update_settings(db, manager, taxed, stored.version)
    code, out, err = run_quote(
        capsys, str(examples / "acne-scars.json"), "--json", "--database", url
    )
    document = json.loads(out)
    assert (code, err) == (0, "")
    assert document["price_list_version"] == current.version + 1
    assert document["currency"] == "EUR"
    assert document["lines"][0]["unit_price"] == "249.00"
    assert document["subtotal"] == "1296.00"
    assert document["tax"] == "106.92"  # 1296.00 × 8.25 % = 106.92
    assert document["total"] == "1402.92"
    _, text, _ = run_quote(capsys, str(examples / "acne-scars.json"), "--database", url)
    assert f"1.402,92{NBSP}€" in text


def test_the_default_database_is_used_once_it_exists(capsys, data_dir, examples, monkeypatch):
    with Database.open(None) as db:  # the app's first start makes it in the data folder
        version = prices.current_price_list(db).version
    assert (data_dir / "clinic.sqlite3").exists()
    code, out, _ = run_quote(capsys, str(examples / "acne-scars.json"), "--json")
    assert code == 0
    assert json.loads(out)["price_list_version"] == version
    monkeypatch.setenv("CONSULT_DATABASE_URL", f"sqlite:///{data_dir / 'other.db'}")
    _, out, _ = run_quote(capsys, str(examples / "acne-scars.json"), "--json")
    assert json.loads(out)["price_list_version"] == 1
    assert (data_dir / "other.db").exists()


def test_as_a_separate_process(data_dir, examples):
    environment = {**os.environ, "CONSULT_DATA_DIR": str(data_dir)}
    environment.pop("CONSULT_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "consult", "quote", str(examples / "acne-scars.json"), "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    # Money is text: a number with a fraction anywhere in the output would be a float.
    assert json.loads(result.stdout, parse_float=refuse_float) == ACNE_SCARS_JSON


def test_a_bad_file_as_a_separate_process_gives_one_line(data_dir, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "consult/1", "consultation_date": "2026-02-30"}', encoding="utf-8")
    environment = {**os.environ, "CONSULT_DATA_DIR": str(data_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "consult", "quote", str(bad)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == 'error: consultation_date: "2026-02-30" is not a date\n'


def test_regions_with_different_courses_never_print_one_count_over_another(
    capsys, data_dir, tmp_path
):
    """Face texture takes 3 sessions, stretch marks 4: the course says "up to 4"."""
    import json as json_module

    document = {
        "format": "consult/1",
        "consultation_date": "2026-11-20",
        "patient": {"name": "Ana Souza", "date_of_birth": "1989-04-02", "fitzpatrick": 3},
        "treatment": "microneedling",
        "areas": [
            {"area": "cheeks", "concerns": ["texture"]},
            {"area": "abdomen", "concerns": ["stretch_marks"]},
        ],
        "history": {},
    }
    path = tmp_path / "two-courses.json"
    path.write_text(json_module.dumps(document), encoding="utf-8")
    assert main(["quote", str(path)]) == 0
    text = capsys.readouterr().out
    assert "Course: up to 4 sessions (Face: 3, Abdomen: 4), 4 weeks apart" in text
    out = tmp_path / "out"
    assert main(["documents", str(path), "--out", str(out)]) == 0
    capsys.readouterr()
    from tests.consult.documents.pdfs import flat, text_of

    plan = flat(text_of((out / "plan.pdf").read_bytes(), tmp_path))
    assert "up to 4 sessions, about 4 weeks apart (Face: 3, Abdomen: 4)" in plan
