"""Which database engine each test really used, for the run's summary line.

The place that makes a test's PostgreSQL database calls `used("postgresql")` once the
server has answered; the note goes on the running test's report (its
user_properties), so `passed_on(reports, "postgresql")` counts the tests that passed
having really run on PostgreSQL, whatever their names say.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pytest

ENGINE_PROPERTY = "database_engine"
_running: list[pytest.Item] = []  # the test being run now (tests/conftest.py sets it)


@contextmanager
def running(item: pytest.Item) -> Iterator[None]:
    """While `item` runs (setup, call and teardown), `used` notes engines on it."""
    _running.append(item)
    try:
        yield
    finally:
        _running.remove(item)


def used(engine: str) -> None:
    """Note that the running test used a database on `engine` (nothing outside a test)."""
    for item in _running[-1:]:
        if (ENGINE_PROPERTY, engine) not in item.user_properties:
            item.user_properties.append((ENGINE_PROPERTY, engine))


def passed_on(reports: Iterable[pytest.TestReport], engine: str) -> int:
    """How many of the passed tests' `reports` say the test used `engine`."""
    return sum(
        1
        for report in reports
        if report.when == "call"
        and report.passed
        and (ENGINE_PROPERTY, engine) in report.user_properties
    )


# --------------------------------------------------------------------------- the plugin
# tests/conftest.py loads this module as a pytest plugin (pytest_plugins).


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Let the place that makes a PostgreSQL database note it on the running test."""
    with running(item):
        return (yield)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The closing line a CI log proves the PostgreSQL run with."""
    on_postgres = passed_on(terminalreporter.stats.get("passed", []), "postgresql")
    terminalreporter.write_line(f"storage tests passed on postgresql: {on_postgres}")
