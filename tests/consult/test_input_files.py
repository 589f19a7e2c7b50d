"""Edge inputs: pipes and devices named as files, huge numbers, and `documents --out`.

A FIFO named as FILE would block a plain read until some program writes to it. Each
command is run on a thread with a generous deadline; if it is still blocked then, the
test opens the FIFO's other end (which frees the reader) and fails, so a regression
fails the test instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from consult.app.cli import main
from consult.errors import ConsultError
from consult.protection import atomic
from consult.protection.files import temporary_beside
from consult.protection.input_files import read_input, refuse_special_target
from tests.consult.documents.pdfs import signature_png

DEADLINE_SECONDS = 60
NOT_A_FILE = "is not a regular file (a pipe, device or socket)"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "intake.json"
    os.mkfifo(path)
    return path


def run_unblocked(argv: list[str], fifo: Path) -> int:
    """`main(argv)`, failing (never hanging) if it blocks on the FIFO."""
    outcome: dict[str, int] = {}
    worker = threading.Thread(target=lambda: outcome.update(code=main(argv)), daemon=True)
    worker.start()
    worker.join(DEADLINE_SECONDS)
    blocked = worker.is_alive()
    if blocked:  # let the stuck reader see end-of-file, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(DEADLINE_SECONDS)
    assert not blocked, f"{argv} blocked on a FIFO"
    return outcome["code"]


def _argv(command: str, fifo: Path, tmp_path: Path, examples: Path) -> tuple[list[str], str]:
    signature = tmp_path / "ink.png"
    signature.write_bytes(signature_png())
    example = str(examples / "acne-scars.json")
    out = str(tmp_path / "out")
    return {
        "check": (["check", str(fifo)], "consultation file"),
        "quote": (["quote", str(fifo)], "consultation file"),
        "documents": (["documents", str(fifo), "--out", out], "consultation file"),
        "verify": (["verify", str(fifo)], "PDF file"),
        "signature": (
            [
                "documents", example, "--out", out,
                "--patient-signature", str(fifo), "--practitioner-signature", str(signature),
            ],
            "PNG image",
        ),
    }[command]


@pytest.mark.parametrize("command", ["check", "quote", "documents", "verify", "signature"])
def test_a_fifo_given_as_a_file_is_refused_at_once(
    capsys, data_dir, examples, tmp_path, fifo, command
):
    argv, what = _argv(command, fifo, tmp_path, examples)
    assert run_unblocked(argv, fifo) == 2
    captured = capsys.readouterr()
    prefix = "--patient-signature: " if command == "signature" else ""
    assert captured.err == f"error: {prefix}{fifo}: {NOT_A_FILE}; give a {what}\n"
    assert captured.out == ""
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_device_given_as_a_file_is_refused(capsys, device):
    assert main(["check", device]) == 2
    assert capsys.readouterr().err == (
        f"error: {device}: {NOT_A_FILE}; give a consultation file\n"
    )


def test_a_folder_and_a_missing_file_keep_their_messages(tmp_path):
    with pytest.raises(ConsultError, match=r": is a folder, not a PDF file$"):
        read_input(tmp_path, "PDF file")
    with pytest.raises(ConsultError, match=r"missing.pdf: no such file$"):
        read_input(tmp_path / "missing.pdf", "PDF file")


def test_a_pipe_or_device_is_never_written_over(tmp_path, fifo):
    for target in (fifo, Path("/dev/null")):
        with pytest.raises(ConsultError, match=NOT_A_FILE.replace("(", r"\(").replace(")", r"\)")):
            atomic.write_bytes(target, b"%PDF-")
        with pytest.raises(ConsultError), temporary_beside(target):
            pass
    assert fifo.is_fifo()
    assert Path("/dev/null").is_char_device()
    refuse_special_target(tmp_path / "new.pdf")  # a name not yet taken is fine


def test_a_5000_digit_number_is_exit_2_naming_the_field(capsys, tmp_path, examples):
    document = json.loads((examples / "acne-scars.json").read_text(encoding="utf-8"))
    text = json.dumps(document).replace('"fitzpatrick": 3', '"fitzpatrick": ' + "7" * 5000)
    assert '"fitzpatrick": 777' in text
    path = tmp_path / "huge.json"
    path.write_text(text, encoding="utf-8")
    for command in ("check", "quote"):
        assert main([command, str(path)]) == 2
        assert capsys.readouterr().err == (
            "error: patient.fitzpatrick: is a number 5,000 characters long; "
            "numbers in a consultation file have at most 100\n"
        )


@pytest.mark.parametrize("problem", ["bad file", "bad signature", "missing file"])
def test_documents_leaves_no_out_folder_behind_on_bad_input(
    capsys, data_dir, examples, tmp_path, problem
):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "consult/1"}', encoding="utf-8")
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"not a png")
    example = str(examples / "acne-scars.json")
    out = tmp_path / "new" / "nested" / "out"
    argv = {
        "bad file": [str(bad)],
        "bad signature": [
            example, "--patient-signature", str(fake), "--practitioner-signature", str(fake),
        ],
        "missing file": [str(tmp_path / "missing.json")],
    }[problem]
    assert main(["documents", *argv, "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("check", ["sqlite", "postgresql dump"])
def test_a_fifo_given_as_a_backup_to_restore_is_refused_at_once(tmp_path, fifo, check):
    from consult.protection.postgres_files import require_consult_dump
    from consult.protection.sqlite_files import require_consult_database

    with pytest.raises(ConsultError) as refused:
        if check == "sqlite":
            require_consult_database(fifo, None)
        else:
            require_consult_dump(fifo)
    assert str(refused.value) == f"{fifo}: {NOT_A_FILE}; give a backup file"
