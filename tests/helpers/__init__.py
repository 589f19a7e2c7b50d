"""Helpers the tests import: plain modules with their own tests (tests/helpers/test_*.py).

Fixtures stay in the conftest.py files; anything a test module imports lives here.
"""
