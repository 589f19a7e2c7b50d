"""Consult: consultation assistant for micro-needling clinics.

This package is the domain core. It holds plain dataclasses and pure functions and
never imports Qt (tests/consult/test_no_qt.py enforces that), so the command line,
the tests and the desktop app all share one implementation of every clinical and
money rule.
"""

__version__ = "0.1.0"

# pyHanko would load an HTTP client Consult never uses, reportlab would compile a pattern
# it seldom needs (see consult.app.lean_imports).
from consult.app.lean_imports import defer_network_modules as _defer_network_modules
from consult.app.lean_imports import defer_reportlab_uri_pattern as _defer_uri_pattern

_defer_network_modules()
_defer_uri_pattern()
