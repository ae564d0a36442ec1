"""Shared helpers for the compliance tests; prints the filter's measured quality at the end."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Make `import bot` work however pytest is started (plain `pytest`, another working directory).
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

_REPORT: list[str] = []


@pytest.fixture
def report():
    """Append a line to the summary printed after the test run."""
    return _REPORT.append


def pytest_terminal_summary(terminalreporter):
    if _REPORT:
        terminalreporter.section("compliance content filter")
        for line in _REPORT:
            terminalreporter.write_line(line)
