"""Passwords of the test accounts (long enough for the app's rule, never real ones)."""

from __future__ import annotations

MANAGER_PASSWORD = "a long manager passphrase"  # the signed-in manager of the app's tests
STAFF_PASSWORD = "correct horse battery"  # the accounts of the administration tests
