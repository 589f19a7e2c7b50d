"""Tests here drive the command line, signed in through the environment."""

from tests.helpers.cli import (  # noqa: F401
    quick_password_hashing,
    signed_in_through_the_environment,
)
