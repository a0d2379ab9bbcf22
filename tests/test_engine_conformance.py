"""Every registered engine passes the one conformance table (tests/conformance.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conformance import CASES, ENGINES, RUNTIMES, Case, close_engines, mismatches, run_case

from dataops_diff.engines import ENGINES as REGISTERED


@pytest.fixture(scope="module", autouse=True)
def _engines() -> Iterator[None]:
    yield
    close_engines()


def _param(engine: str, case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case.known_bug)] if case.known_bug else []
    if engine == "spark":
        marks.append(pytest.mark.spark)
    return pytest.param(engine, case, id=f"{engine}-{case.name}", marks=marks)


@pytest.mark.parametrize(("engine", "case"), [_param(e, c) for e in ENGINES for c in CASES])
def test_case(engine: str, case: Case, tmp_path: Path) -> None:
    if case.error is not None:
        with pytest.raises(case.error) as info:
            run_case(engine, case, tmp_path)
        assert case.error_text in str(info.value)
        return
    diff = run_case(engine, case, tmp_path)
    assert mismatches(diff, case.expect) == [], case.rule


def test_every_case_expects_something() -> None:
    assert all(c.expect or c.error for c in CASES)
    assert ENGINES[0] == "duckdb"


def test_every_registered_engine_runs_the_table() -> None:
    """Only an engine whose runtime is missing here (Java for Spark) is left out."""
    missing = [name for name in REGISTERED if name not in ENGINES]
    assert all(name in RUNTIMES and not RUNTIMES[name]() for name in missing)
    assert [name for name in REGISTERED if name not in missing] == ENGINES
