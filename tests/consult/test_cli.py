"""The command-line contract every subcommand shares: exit codes and one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from consult import __version__
from consult.app.cli import build_parser, main, parse_arguments, starts_the_app_only


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


@pytest.mark.parametrize(
    ("argv", "app_only"),
    [
        ([], True),
        (["--quit-when-ready"], True),
        (["--database", "sqlite:///x.db"], True),
        (["--database=sqlite:///x.db", "--quit-when-ready"], True),
        (["--database"], False),  # the full parser names the missing URL
        (["--help"], False),  # help lists the subcommands
        (["check", "a.json"], False),
        (["--database", "sqlite:///x.db", "verify", "a.pdf"], False),
    ],
)
def test_only_the_apps_own_options_skip_the_subcommand_parsers(argv, app_only):
    assert starts_the_app_only(argv) is app_only


def test_the_apps_quick_parse_reads_the_same_options_as_the_full_parser():
    argv = ["--database", "sqlite:///x.db", "--quit-when-ready"]
    quick = parse_arguments(argv)
    full = build_parser().parse_args(argv)
    assert vars(quick) == vars(full) == {
        "command": None, "database": "sqlite:///x.db", "quit_when_ready": True
    }


def test_a_database_option_without_its_url_is_a_one_line_error(capsys):
    assert main(["--database"]) == 2
    assert "argument --database: expected one argument" in capsys.readouterr().err
