"""Tests here drive the command line, signed in through the environment."""

from tests.helpers.cli import signed_in_through_the_environment  # noqa: F401
from tests.helpers.clinic import quick_password_hashing  # noqa: F401
