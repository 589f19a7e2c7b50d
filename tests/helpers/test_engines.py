"""The "storage tests passed on postgresql: N" line counts the tests that really used
PostgreSQL and passed, not the tests whose names mention it."""

from __future__ import annotations

import pytest

INNER_TESTS = """
import pytest

from tests.helpers import engines


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    return request.param  # a name only: no database is made on either


@pytest.fixture
def on_postgres():
    engines.used("postgresql")  # as tests/postgres.py does once the server answered


def test_named_after_an_engine(engine):
    pass


def test_in_a_fixture(on_postgres):
    pass


def test_in_the_test_itself():
    engines.used("postgresql")
    engines.used("postgresql")  # twice in one test is still one test


def test_that_fails(on_postgres):
    raise AssertionError("counted only when it passes")
"""


def test_the_line_counts_tests_that_used_postgresql_and_passed(pytester: pytest.Pytester):
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest("-p", "tests.helpers.engines")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["storage tests passed on postgresql: 2"])


def test_no_test_used_postgresql_gives_zero(pytester: pytest.Pytester):
    pytester.makepyfile(test_inner="def test_postgresql_in_the_name_only():\n    pass\n")
    result = pytester.runpytest("-p", "tests.helpers.engines")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["storage tests passed on postgresql: 0"])
