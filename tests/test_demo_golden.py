"""Golden HTML and Markdown reports of the bundled example (fixtures/demo), compared in a tmp dir.

Both versions of the demo job run directly (no git repository, no shadow run) on the demo's
inputs into ``production/`` and ``candidate/``, and production again into ``baseline/`` (the demo
spec asks for a baseline run); ``api.compare`` then diffs those RELATIVE folders with the demo
spec's keys, renames, tolerances and policy, and the noise floor learnt from ``baseline/``, so no
absolute path enters the report.
The demo is nondeterministic on purpose: each version's float-sum order is replayed from a fixed
``DEMO_SEED``, and each version's run timestamp (``scores.scored_at``) is masked in the report,
before rendering, by a fixed stand-in of the same shape (so every renderer shows it as it would).
Regenerate with ``UPDATE_GOLDEN=1 pytest tests/test_demo_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from report_fixtures import check_golden
from test_runner_demo import (
    ACCOUNTS,
    ACCOUNTS_CHANGED,
    DEMO,
    EXPECTED,
    NOISE,
    NOISY,
    REJECTED,
    REJECTED_CHANGED,
    SCORES,
    SCORES_CHANGED,
    UNEXPECTED,
    by_name,
    changed,
    classified,
)

from dataops_diff import api
from dataops_diff import spec as runspec
from dataops_diff.model import Report, to_dict
from dataops_diff.policy import policy_from_dict
from dataops_diff.reports import html, markdown
from dataops_diff.spec import DatasetSpec

SCRIPTS = {"production": DEMO / "pipeline" / "score.py",
           "candidate": DEMO / "candidate" / "pipeline" / "score.py",
           "baseline": DEMO / "pipeline" / "score.py"}  # fmt: skip
VERSION = "0.0.0-golden"  # the golden files do not change with every release
SEEDS = {"production": "1", "candidate": "2", "baseline": "3"}  # DEMO_SEED: float-sum orders
# scores.scored_at: each version's run timestamp (UTC, microseconds), different in every run
SCORED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")
MASKS = {"production": "2000-01-01T00:00:00.000001+00:00",
         "candidate": "2000-01-01T00:00:00.000002+00:00",
         "baseline": "2000-01-01T00:00:00.000003+00:00"}  # fmt: skip


@dataclass(frozen=True)
class Rendered:
    report: Report
    html: str
    markdown: str


def run_versions(folder: Path) -> None:
    """Both versions of the demo job on the demo inputs, into folder/production and /candidate."""
    env = {k: v for k, v in os.environ.items() if k != "DATAOPS_DIFF_COUNTERS"}
    for side, script in SCRIPTS.items():
        env["DEMO_SEED"] = SEEDS[side]
        (folder / side).mkdir()
        subprocess.run(
            [sys.executable, str(script), "--transactions", str(DEMO / "data" / "transactions.csv"),
             "--merchants", str(DEMO / "data" / "merchants.csv"), "--output", side],
            cwd=folder, env=env, check=True, capture_output=True,
        )  # fmt: skip


def compare_demo(baseline: str | None = "baseline") -> Rendered:
    """Compare ./production with ./candidate (above the floor learnt from ./baseline) using the
    demo spec; render HTML and Markdown."""
    spec = runspec.load_spec(str(DEMO / "dataops-diff.toml"))
    listed = {entry.name: entry.spec for entry in spec.datasets}

    def spec_for(name: str) -> DatasetSpec:
        return listed.get(name, spec.defaults)

    policy = policy_from_dict(spec.policy, "policy")
    report = api.compare("production", "candidate", spec_for, configured=listed, policy=policy,
                         baseline=baseline)  # fmt: skip
    report = masked(replace(report, tool_version=VERSION), run_timestamps())
    return Rendered(report, html.render(report), markdown.render(report))


def run_timestamps() -> dict[str, str]:
    """Each version's run timestamp (one per run), read from what it wrote."""
    stamps = {}
    for side, mask in MASKS.items():
        (stamp,) = set(pq.read_table(f"{side}/scores.parquet").column("scored_at").to_pylist())
        assert SCORED_AT.fullmatch(stamp)
        stamps[stamp] = mask
    return stamps


def masked(report: Report, stamps: dict[str, str]) -> Report:
    """The report with each run timestamp replaced wherever it appears (samples, profiles, ...)."""

    def walk(value: object) -> object:
        if isinstance(value, str):
            return stamps.get(value, value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return Report.from_dict(walk(to_dict(report)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo_golden")
    run_versions(path)
    return path


@pytest.fixture(scope="module")
def rendered(folder: Path) -> Iterator[Rendered]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        yield compare_demo()


def test_html_golden(rendered: Rendered) -> None:
    check_golden("demo", "compare.html", rendered.html)


def test_markdown_golden(rendered: Rendered) -> None:
    check_golden("demo", "compare.md", rendered.markdown)


def test_byte_stable(rendered: Rendered, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)
    again = compare_demo()
    assert again.html == rendered.html
    assert again.markdown == rendered.markdown


def test_no_absolute_path(rendered: Rendered, folder: Path) -> None:
    for text in (rendered.html, rendered.markdown):
        assert str(folder) not in text
        assert str(DEMO) not in text
        assert os.getcwd() not in text


def test_planted_differences(rendered: Rendered) -> None:
    datasets = by_name(to_dict(rendered.report))
    assert list(datasets) == ["accounts", "alerts", "merchants", "rejected", "scores"]
    scores, accounts, rejected = datasets["scores"], datasets["accounts"], datasets["rejected"]
    assert {k: scores[k] for k in SCORES} == SCORES
    assert changed(scores, NOISY) == SCORES_CHANGED
    assert scores["schema"]["renamed"] == [{"production": "rule", "candidate": "reason"}]
    assert {k: accounts[k] for k in ACCOUNTS} == ACCOUNTS
    assert changed(accounts) == ACCOUNTS_CHANGED
    assert [c["name"] for c in accounts["schema"]["only_in_candidate"]] == ["night_transactions"]
    assert {k: rejected[k] for k in REJECTED} == REJECTED
    assert changed(rejected) == REJECTED_CHANGED
    assert datasets["merchants"]["identical"] is True
    assert datasets["alerts"]["status"] == "only_in_candidate"
    assert rendered.report.verdict.status == "FAIL"
    report = to_dict(rendered.report)
    assert classified(report, "expected") == EXPECTED  # the spec's [policy] declares them
    assert classified(report, "noise") == NOISE
    assert classified(report, "unexpected") == UNEXPECTED


def test_without_the_baseline_the_noise_fails(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder)
    report = to_dict(compare_demo(baseline=None).report)
    assert classified(report, "noise") == set()
    assert classified(report, "unexpected") == UNEXPECTED | NOISE
    assert classified(report, "expected") == EXPECTED


def test_run_timestamps_are_masked_and_nothing_else_is(rendered: Rendered, folder: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        stamps = run_timestamps()
    for text in (rendered.html, rendered.markdown):
        for stamp, mask in stamps.items():
            assert mask in text or mask == MASKS["baseline"]  # the floor holds counts, not values
            assert stamp[:16] not in text  # not even cut short ("2024-03-01T12:00…")
        assert "model_score" in text  # the float-order column is shown, replayed, not hidden


def test_golden_shows_the_planted_differences(rendered: Rendered) -> None:
    page, md = rendered.html, rendered.markdown
    assert "<tr><td>renamed</td><td>rule → reason</td>" in page
    assert "night_transactions" in page
    assert "| scores | ✅ PASS | different | 195 | 197 | 195 | 0 | 2 | 195 | 4 |" in md  # noise
    assert "| accounts | ✅ PASS | different | 30 | 30 | 30 | 0 | 0 | 14 | 4 |" in md
    assert "| rejected | ❌ FAIL | different | 5 | 3 | 3 | 2 | 0 | 3 | 1 |" in md
    assert "| merchants | ✅ PASS | identical | 12 | 12 | 12 | 0 | 0 | 0 | 0 |" in md
    assert "| alerts | ✅ PASS | only in candidate |" in md  # declared
    assert "schema: added night\\_transactions (int64)" in md
    assert "ParseError" in md  # the one unexpected change
    assert "| 42 | 41 | ValueError |" in md
    assert "| 138 | 137 | ValueError |" in md
