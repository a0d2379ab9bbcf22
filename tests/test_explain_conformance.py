"""Every registered engine explains changes alike (tests/conformance_explain.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conformance import ENGINES, Case, close_engines, run_case
from conformance_explain import EXPLAIN_CASES, SKIP, explain_mismatches


@pytest.fixture(scope="module", autouse=True)
def _engines() -> Iterator[None]:
    yield
    close_engines()


def _param(engine: str, case: Case) -> object:
    marks = [pytest.mark.spark] if engine == "spark" else []
    if (engine, case.name) in SKIP:
        marks.append(pytest.mark.skip(reason=SKIP[(engine, case.name)]))
    return pytest.param(engine, case, id=f"{engine}-{case.name}", marks=marks)


@pytest.mark.parametrize(("engine", "case"), [_param(e, c) for e in ENGINES for c in EXPLAIN_CASES])
def test_explain_case(engine: str, case: Case, tmp_path: Path) -> None:
    diff = run_case(engine, case, tmp_path)
    assert explain_mismatches(diff, case.expect) == [], case.rule


def test_every_explain_case_expects_something() -> None:
    assert all(c.expect for c in EXPLAIN_CASES)
