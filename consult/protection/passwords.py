"""What a new password must be: NIST SP 800-63B (section 5.1.1.2), nothing more.

At least MIN_PASSWORD characters, no composition rules (no "one digit, one capital"),
every character allowed, spaces included. Refused only what an attacker tries first:

- a password on the list of 30,000 common passwords shipped in
  resources/passwords/ (zxcvbn's list; its README says where it comes from), compared
  lower-cased and without trailing digits and symbols, so "Password12!" counts as
  "password" and "dragon2024" as "dragon";
- a password that is all whitespace, or one character repeated.

Every place a password is set goes through `check_new_password` (by way of
consult.storage.users.hash_password): the first manager, a new account, a reset, the
demo's random passwords. Signing in never applies it: an old password that predates
the policy still opens its account.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from consult import data
from consult.errors import InvalidField

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
COMMON_PASSWORDS = "passwords/common-passwords.txt"
# Trailing digits, punctuation, symbols and spaces: what people tack on to meet a rule.
_TRAILING_NON_LETTERS = re.compile(r"[\W\d_]+$")
FIELD = "password"


def check_new_password(password: str) -> None:
    """Nothing if `password` may be set; otherwise InvalidField("password", why)."""
    problem = password_problem(password)
    if problem is not None:
        raise InvalidField(FIELD, problem)


def password_problem(password: str) -> str | None:
    """Why `password` may not be set, in a few words; None when it may."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        return f"must be at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"must be at most {MAX_PASSWORD} characters"
    if not password.strip():
        return "must not be only spaces"
    if len(set(password)) == 1:
        return "must not be one character repeated"
    if is_common(password):
        return (
            "is one of the most common passwords, which attackers try first; "
            "choose something less predictable, such as a few unrelated words"
        )
    return None


def is_common(password: str) -> bool:
    """Whether the password, or its stem without trailing digits and symbols, is listed."""
    lowered = password.lower()
    stem = _TRAILING_NON_LETTERS.sub("", lowered)
    listed = common_passwords()
    return lowered in listed or stem in listed


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (read once, when the first password is set)."""
    return frozenset(data.read_text(COMMON_PASSWORDS).split())


# How long this process has spent checking passwords against their Argon2 hashes (slow
# on purpose): the start-up benchmark leaves it out of a start's time (issue 18).
_checking_seconds = [0.0]
_checking_lock = threading.Lock()


@contextmanager
def checking_clock() -> Iterator[None]:
    """Count the time of the password check inside (consult.storage.users)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        with _checking_lock:
            _checking_seconds[0] += elapsed


def password_checking_seconds() -> float:
    """How long this process has spent checking passwords, in seconds."""
    with _checking_lock:
        return _checking_seconds[0]
