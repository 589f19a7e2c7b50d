"""The command-line contract every subcommand shares: exit codes and one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from consult import __version__
from consult.app.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"consult {__version__}"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["check"], "the following arguments are required: FILE"),
        (["demo", "--patients", "many"], "argument --patients: invalid int value: 'many'"),
        (["documents", "x.json"], "the following arguments are required: --out"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(capsys, argv, fragment):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert fragment in err


def test_python_dash_m_runs_the_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "consult", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"consult {__version__}"


def test_an_internal_error_is_logged_not_shown(monkeypatch, capsys, data_dir):
    import consult.app.cli as cli

    def explode(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_COMMANDS", {**cli._COMMANDS, "check": "check"})
    monkeypatch.setattr(
        "importlib.import_module", lambda name: type("M", (), {"run": staticmethod(explode)})
    )
    assert main(["check", "whatever.json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: internal error (RuntimeError: boom); details in ")
    assert "Traceback" not in err
    assert "Traceback" in (data_dir / "consult.log").read_text(encoding="utf-8")
