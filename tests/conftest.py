"""Shared test set-up.

Tests that need a real browser or a real spreadsheet program are skipped on a
machine without them, but never in CI (`CI` set, as `.ci/run` runs there):
there a skipped check is a failure, so that no check is skipped silently.
"""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not os.environ.get("CI"):
        return
    for mark in item.iter_markers("skipif"):
        if mark.args and mark.args[0]:
            pytest.fail(f"this check cannot run here: {mark.kwargs.get('reason', 'skipped')}", pytrace=False)
