"""Shared test setup."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_ci_side_effects(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never append to a real GitHub job summary, even when the suite runs in Actions."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
