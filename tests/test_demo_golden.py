"""Golden HTML and Markdown reports of the bundled example (fixtures/demo), compared in a tmp dir.

Both versions of the demo job run directly (no git repository, no shadow run) on the demo's
inputs into ``production/`` and ``candidate/``; ``api.compare`` then diffs those RELATIVE folders
with the demo spec's keys, renames and tolerances, so no absolute path enters the report.
Regenerate with ``UPDATE_GOLDEN=1 pytest tests/test_demo_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from report_fixtures import check_golden
from test_runner_demo import (
    ACCOUNTS,
    ACCOUNTS_CHANGED,
    DEMO,
    REJECTED,
    SCORES,
    SCORES_CHANGED,
    by_name,
    changed,
)

from dataops_diff import api
from dataops_diff import spec as runspec
from dataops_diff.model import Report, to_dict
from dataops_diff.reports import html, markdown
from dataops_diff.spec import DatasetSpec

SCRIPTS = {"production": DEMO / "pipeline" / "score.py",
           "candidate": DEMO / "candidate" / "pipeline" / "score.py"}  # fmt: skip
VERSION = "0.0.0-golden"  # the golden files do not change with every release


@dataclass(frozen=True)
class Rendered:
    report: Report
    html: str
    markdown: str


def run_versions(folder: Path) -> None:
    """Both versions of the demo job on the demo inputs, into folder/production and /candidate."""
    env = {k: v for k, v in os.environ.items() if k != "DATAOPS_DIFF_COUNTERS"}
    for side, script in SCRIPTS.items():
        (folder / side).mkdir()
        subprocess.run(
            [sys.executable, str(script), "--transactions", str(DEMO / "data" / "transactions.csv"),
             "--merchants", str(DEMO / "data" / "merchants.csv"), "--output", side],
            cwd=folder, env=env, check=True, capture_output=True,
        )  # fmt: skip


def compare_demo() -> Rendered:
    """Compare ./production with ./candidate using the demo spec; render HTML and Markdown."""
    spec = runspec.load_spec(str(DEMO / "dataops-diff.toml"))
    listed = {entry.name: entry.spec for entry in spec.datasets}

    def spec_for(name: str) -> DatasetSpec:
        return listed.get(name, spec.defaults)

    report = api.compare("production", "candidate", spec_for, configured=listed)
    report = replace(report, tool_version=VERSION)
    return Rendered(report, html.render(report), markdown.render(report))


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
    assert changed(scores) == SCORES_CHANGED
    assert scores["schema"]["renamed"] == [{"production": "rule", "candidate": "reason"}]
    assert {k: accounts[k] for k in ACCOUNTS} == ACCOUNTS
    assert changed(accounts) == ACCOUNTS_CHANGED
    assert [c["name"] for c in accounts["schema"]["only_in_candidate"]] == ["night_transactions"]
    assert {k: rejected[k] for k in REJECTED} == REJECTED
    assert datasets["merchants"]["identical"] is True
    assert datasets["alerts"]["status"] == "only_in_candidate"
    assert rendered.report.verdict.status == "FAIL"


def test_golden_shows_the_planted_differences(rendered: Rendered) -> None:
    page, md = rendered.html, rendered.markdown
    assert "<tr><td>renamed</td><td>rule → reason</td>" in page
    assert "night_transactions" in page
    assert "| scores | ❌ FAIL | different | 195 | 197 | 195 | 0 | 2 | 37 | 2 |" in md
    assert "| accounts | ❌ FAIL | different | 30 | 30 | 30 | 0 | 0 | 14 | 4 |" in md
    assert "| rejected | ❌ FAIL | different | 5 | 3 | 3 | 2 | 0 | 0 | 0 |" in md
    assert "| merchants | ✅ PASS | identical | 12 | 12 | 12 | 0 | 0 | 0 | 0 |" in md
    assert "| alerts | ❌ FAIL | only in candidate |" in md
    assert "schema: added night\\_transactions (int64)" in md
    assert "| 42 | 41 | ValueError |" in md
    assert "| 138 | 137 | ValueError |" in md
