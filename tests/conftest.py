"""Shared fixtures. Tests that need the plan texts skip in a user's clone without ../shared,
but never in CI (CI=true), where a missing ../shared/seeds is an error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gis.paths import seeds_dir


@pytest.fixture(scope="session")
def seeds() -> Path:
    path = seeds_dir()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the plan-text tests, but ../shared/seeds is missing")
        pytest.skip("../shared/seeds is absent (a user's clone): plan-text tests skipped")
    return path
