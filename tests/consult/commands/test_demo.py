"""`consult demo`: a realistic demo clinic in every state, and never over real data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from consult.app import cli
from consult.app.demo import SHOWCASE, build_demo
from consult.storage import Database, audit, users
from consult.storage.models import Patient, User
from consult.storage.models.clinical import Consultation, Quote, QuoteLine


@pytest.fixture
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: cheap)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_demo_fills_every_status_and_prints_the_passwords_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], quick_hashing: None
):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"

    code, out, err = _run(capsys, "demo", "--patients", "25", "--database", url)

    assert (code, err) == (0, "")
    assert "25 patients" in out
    assert "demo accounts" in out.lower()
    with Database.open(url) as db, db.Session() as session:
        pairs = set(session.execute(select(Quote.status, Quote.approval).distinct()).all())
        consultation_statuses = set(session.scalars(select(Consultation.status).distinct()))
        hashes = session.scalars(select(User.password_hash)).all()
        names = session.scalars(select(Patient.name)).all()
        lines = session.scalar(select(func.count()).select_from(QuoteLine))
        verdicts = session.scalars(select(Consultation.screening_verdict).distinct()).all()
        problems = audit.verify_chain(db)
    assert set(SHOWCASE) <= pairs
    assert consultation_statuses == {"completed", "draft"}
    assert len(hashes) == 6 and all(h.startswith("$argon2id$") for h in hashes)
    for account_line in out.splitlines()[-6:]:
        username, password = account_line.split()[:2]
        assert password not in "".join(hashes)
        with Database.open(url) as db:
            assert users.authenticate(db, username, password, workstation="test") is not None
    assert len(set(names)) > 15
    assert lines > 0 and None not in verdicts
    assert problems == []


def test_the_same_seed_gives_the_same_clinic(tmp_path: Path, quick_hashing: None):
    def clinic(name: str) -> list[tuple]:
        with Database.open(f"sqlite:///{tmp_path / name}") as db:
            build_demo(db, patients=15, seed=11)
            with db.Session() as session:
                return session.execute(
                    select(Patient.name, Patient.date_of_birth, Quote.total, Quote.status)
                    .join(Quote, Quote.patient_id == Patient.id)
                    .order_by(Quote.id)
                ).all()

    assert clinic("a.sqlite3") == clinic("b.sqlite3")


def test_names_include_accented_greek_and_cyrillic(tmp_path: Path, quick_hashing: None):
    with Database.open(f"sqlite:///{tmp_path / 'd.sqlite3'}") as db:
        build_demo(db, patients=400, seed=5)
        with db.Session() as session:
            text = " ".join(session.scalars(select(Patient.name)))
    assert any("\u0370" <= ch <= "\u03ff" for ch in text)  # Greek
    assert any("\u0400" <= ch <= "\u04ff" for ch in text)  # Cyrillic
    assert any(ch in text for ch in "éèöüñçåøłšž")


def test_a_database_in_use_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], quick_hashing: None
):
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert _run(capsys, "demo", "--patients", "3", "--database", url)[0] == 0

    code, out, err = _run(capsys, "demo", "--patients", "3", "--database", url)

    assert (code, out) == (2, "")
    assert err.startswith("error: this database is in use (3 patients, 6 accounts)")
    with Database.open(url) as db, db.Session() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 3


def test_a_silly_patient_count_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    code, _, err = _run(capsys, "demo", "--patients", "0", "--database", url)
    assert code == 2 and "--patients must be from 1 to" in err
