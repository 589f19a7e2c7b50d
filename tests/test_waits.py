"""Every wait in the tests is for an event, with a timeout a loaded machine cannot reach.

A worker thread may be slow on a busy machine (a 5 s wait once failed a correct build),
so each qtbot wait names its timeout, at least GENEROUS_MS, and nothing sleeps.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
GENEROUS_MS = 30_000
QTBOT_WAITS = {"waitSignal", "waitSignals", "waitUntil", "waitCallback"}


def short_waits(source: str) -> list[str]:
    """Each qtbot wait without a generous timeout, and each sleep, as "line: what"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
            node.func, "id", ""
        )
        if name in QTBOT_WAITS:
            timeout = next((k.value for k in node.keywords if k.arg == "timeout"), None)
            if not (
                isinstance(timeout, ast.Constant)
                and isinstance(timeout.value, int)
                and timeout.value >= GENEROUS_MS
            ):
                found.append(f"{node.lineno}: {name} without timeout >= {GENEROUS_MS}")
        elif name == "sleep":
            found.append(f"{node.lineno}: sleep")
        elif name == "wait" and _is_qtbot(node.func) and not _waits_no_time(node):
            found.append(f"{node.lineno}: qtbot.wait (a timed wait)")
    return sorted(found, key=lambda problem: int(problem.split(":")[0]))


def _is_qtbot(func: ast.expr) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "qtbot"
    )


def _waits_no_time(call: ast.Call) -> bool:
    """qtbot.wait(0): one pass of the event loop, no timing."""
    return (
        len(call.args) == 1
        and isinstance(call.args[0], ast.Constant)
        and call.args[0].value == 0
    )


def test_every_wait_in_the_tests_is_generous_and_event_driven():
    found = [
        f"{path.relative_to(TESTS.parent)}:{problem}"
        for path in sorted(TESTS.rglob("*.py"))
        if path != Path(__file__).resolve()
        for problem in short_waits(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "\n".join(found)


def test_the_check_finds_short_missing_and_timed_waits():
    source = (
        "def test(qtbot, model):\n"
        "    with qtbot.waitSignal(model.failed, timeout=30_000):\n"
        "        pass\n"
        "    qtbot.waitUntil(model.ready)\n"
        "    qtbot.waitSignals([model.a], timeout=TIMEOUT)\n"
        "    time.sleep(1)\n"
        "    qtbot.wait(200)\n"
        "    qtbot.wait(0)\n"
        "    qtbot.waitCallback(timeout=30_000)\n"
        "    with qtbot.waitSignal(model.loaded, timeout=60_000):\n"
        "        pass\n"
    )
    assert short_waits(source) == [  # line 2's 30 s and line 10's 60 s are generous
        "4: waitUntil without timeout >= 30000",
        "5: waitSignals without timeout >= 30000",
        "6: sleep",
        "7: qtbot.wait (a timed wait)",
    ]
