"""`consult aftercare SESSION_ID --out FILE`: the patient's sheet from the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.app.cli import main
from consult.services import accounts
from consult.storage.models import AuditEvent
from tests.consult.documents.pdfs import flat, text_of
from tests.helpers.course import signed_course
from tests.helpers.signing import PRACTITIONER_PASSWORD, clinic_for_the_command_line


@pytest.fixture
def sessions(data_dir, monkeypatch):
    """A signed session of Ana Souza and a draft of Björn Åkesson: (signed, draft) ids."""
    db = clinic_for_the_command_line(monkeypatch)
    pia = accounts.sign_in(db, "pia", PRACTITIONER_PASSWORD, workstation="test")
    signed = signed_course(pia, "Ana Souza").session
    draft = signed_course(pia, "Björn Åkesson", sign=False).session
    db.close()
    return signed.id, draft.id


def actions() -> list[str]:
    from consult.storage.db import Database

    with Database.open(None) as db, db.Session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_it_writes_the_sheet_and_audits_it(sessions, capsys, tmp_path):
    target = tmp_path / "out" / "aftercare.pdf"
    assert main(["aftercare", str(sessions[0]), "--out", str(target)]) == 0
    assert capsys.readouterr().out == (
        f"aftercare sheet of session {sessions[0]} written to {target}\n"
    )
    text = flat(text_of(target.read_bytes(), tmp_path))
    assert "Caring for your skin after treatment" in text
    assert "Ana Souza" in text and "Cheeks" in text
    assert "Next appointment" in text  # the plan's next session was proposed
    assert actions()[-2:] == ["course.aftercare", "course.save"]
    assert [p.name for p in target.parent.iterdir()] == ["aftercare.pdf"]  # no temp file left


def test_a_draft_session_has_no_sheet_yet(sessions, capsys, tmp_path):
    target = tmp_path / "aftercare.pdf"
    assert main(["aftercare", str(sessions[1]), "--out", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"error: session {sessions[1]} is not signed yet; sign it before handing out its "
        "aftercare\n"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["aftercare", "x", "--out", "a.pdf"], "error: consult aftercare: argument SESSION_ID"),
        (["aftercare", "999", "--out", "a.pdf"], "error: session 999 does not exist"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(sessions, capsys, argv, message):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(message)
    assert captured.err.count("\n") == 1
    assert captured.out == ""


def test_reception_may_not_print_a_sessions_sheet(data_dir, monkeypatch, capsys, tmp_path):
    clinic_for_the_command_line(monkeypatch, role="reception").close()
    assert main(["aftercare", "1", "--out", str(tmp_path / "a.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: pia (Reception) is not allowed to course: read")
    assert err.count("\n") == 1
