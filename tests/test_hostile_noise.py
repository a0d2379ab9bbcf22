"""Hostile inputs for the noise floor: ``--baseline``, ``--suggest-policy``, ``--noise``.

Error cases: exit 2, one stderr line naming the flag and the fix, every input byte unchanged, no
file written. Paths that are odd but valid (glob characters, spaces, a link) must work: the floor
is learnt from them and the verdict is the right one.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import noise_fixture as nf
import pyarrow.parquet as pq
import pytest
from hostile import assert_error, invoke, snapshot


@pytest.fixture
def root(tmp_path: Path) -> Path:
    nf.write_run(tmp_path / "production", 1)
    nf.write_run(tmp_path / "baseline", 2)
    nf.write_run(tmp_path / "candidate", 3)
    (tmp_path / "out").mkdir()
    return tmp_path


def compare_error(
    capsys: pytest.CaptureFixture[str], root: Path, args: tuple[object, ...], *fragments: str
) -> str:
    before = snapshot(root)
    report = root / "out" / "report.json"
    outcome = invoke(capsys, "compare", root / "production", root / "candidate", "--key", "id",
                     *(os.fspath(a) if isinstance(a, Path) else str(a) for a in args))  # fmt: skip
    line = assert_error(outcome, 2, *fragments)
    assert snapshot(root) == before
    assert not report.exists()
    assert not (root / "out" / "noise.toml").exists()
    return line


# --------------------------------------------------------------------------------- --baseline
def test_a_missing_baseline(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    compare_error(capsys, root, ("--baseline", root / "rerun", "--json", root / "out/report.json"),
                  "baseline path", "rerun", "does not exist", "check the path")  # fmt: skip


@pytest.mark.parametrize("shape", ["file", "folder"])
def test_a_baseline_of_another_shape_than_production(
    capsys: pytest.CaptureFixture[str], root: Path, shape: str
) -> None:
    """A folder of datasets against a single file, and a single file against a folder."""
    if shape == "file":
        before = snapshot(root)
        outcome = invoke(capsys, "compare", root / "production/scores.parquet",
                         root / "candidate/scores.parquet", "--key", "id",
                         "--baseline", root / "baseline")  # fmt: skip
        assert_error(outcome, 2, "production is a single dataset", "the baseline is a folder",
                     "same shape as production")  # fmt: skip
        assert snapshot(root) == before
        return
    compare_error(capsys, root, ("--baseline", root / "baseline/scores.parquet"),
                  "the baseline is a single dataset", "production is a folder",
                  "scores.parquet")  # fmt: skip


@pytest.mark.parametrize(("which", "what"), [("candidate", "the candidate input"),
                                             ("production", "production input")])  # fmt: skip
def test_a_baseline_that_is_one_of_the_compared_inputs(
    capsys: pytest.CaptureFixture[str], root: Path, which: str, what: str
) -> None:
    compare_error(capsys, root, ("--baseline", root / which), f"--baseline {root / which} is",
                  what, "pass production written again")  # fmt: skip


def test_a_baseline_without_the_key_is_named_as_the_baseline(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    scores = root / "baseline" / "scores.parquet"
    pq.write_table(pq.read_table(scores).drop(["id"]), scores)
    line = compare_error(capsys, root, ("--baseline", root / "baseline"), "column 'id' is not "
                         "in the baseline version of dataset 'scores'")  # fmt: skip
    assert "candidate" not in line


def test_an_unreadable_baseline_dataset_is_named_as_the_baseline(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    (root / "baseline" / "scores.parquet").write_bytes(b"not parquet")
    line = compare_error(capsys, root, ("--baseline", root / "baseline"),
                         "cannot read baseline dataset", "scores.parquet")  # fmt: skip
    assert "candidate" not in line


def test_a_link_to_the_candidate_is_the_candidate(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    (root / "link").symlink_to(root / "candidate", target_is_directory=True)
    compare_error(capsys, root, ("--baseline", root / "link"), "is the candidate input")


@pytest.mark.parametrize("where", ["baseline", "baseline/report.json"])
def test_a_report_path_that_is_the_baseline_or_inside_it(
    capsys: pytest.CaptureFixture[str], root: Path, where: str
) -> None:
    (root / "baseline" / "report.json").unlink(missing_ok=True)
    line = compare_error(capsys, root, ("--baseline", root / "baseline", "--json", root / where),
                         "--json", "the baseline input (--baseline)")  # fmt: skip
    assert ("is inside" in line) == (where != "baseline")


def test_the_baseline_is_protected_from_every_report_format(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    target = root / "baseline" / "top.parquet"
    for flag in ("--html", "--markdown", "--junit"):
        compare_error(capsys, root, ("--baseline", root / "baseline", flag, target),
                      flag, "the baseline input (--baseline)", "top.parquet")  # fmt: skip


@pytest.mark.parametrize("name", ["base[1]", "base*", "my baseline", "base?x"])
def test_odd_but_valid_baseline_paths_work(
    capsys: pytest.CaptureFixture[str], root: Path, name: str
) -> None:
    """Glob characters and spaces are names, never patterns: the floor is learnt from exactly
    that folder, and the pipeline's noise passes."""
    shutil.copytree(root / "baseline", root / name)
    report = root / "out" / "report.json"
    before = snapshot(root / "production", root / "candidate", root / name)
    outcome = invoke(capsys, "compare", root / "production", root / "candidate", "--key", "id",
                     "--baseline", root / name, "--json", report, "--quiet")  # fmt: skip
    assert (outcome.code, outcome.stderr) == (0, "")
    saved = json.loads(report.read_text(encoding="utf-8"))
    assert saved["baseline"] == str(root / name)
    assert [f["name"] for f in saved["floor"]] == ["scores", "top"]
    assert {f["classification"] for f in saved["verdict"]["findings"]} == {"noise"}
    assert snapshot(root / "production", root / "candidate", root / name) == before


def test_a_linked_baseline_works(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    (root / "rerun").symlink_to(root / "baseline", target_is_directory=True)
    outcome = invoke(capsys, "compare", root / "production", root / "candidate", "--key", "id",
                     "--baseline", root / "rerun", "--quiet")  # fmt: skip
    assert (outcome.code, outcome.stderr) == (0, "")


def test_a_baseline_without_one_dataset_warns_and_judges_it_without_a_floor(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    (root / "baseline" / "top.parquet").unlink()
    report = root / "out" / "report.json"
    outcome = invoke(capsys, "compare", root / "production", root / "candidate", "--key", "id",
                     "--baseline", root / "baseline", "--json", report, "--quiet")  # fmt: skip
    assert outcome.code == 1
    saved = json.loads(report.read_text(encoding="utf-8"))
    assert [f["name"] for f in saved["floor"]] == ["scores"]
    reasons = [(r["rule"], r["severity"], r["dataset"]) for r in saved["verdict"]["reasons"]]
    assert ("noise", "warn", "top") in reasons
    assert ("only_in_production", "fail", "top") in reasons


# --------------------------------------------------------------------------- --suggest-policy
def test_suggest_policy_without_a_baseline(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    compare_error(capsys, root, ("--suggest-policy", root / "out/noise.toml"),
                  "--suggest-policy", "needs a baseline", "pass --baseline")  # fmt: skip


@pytest.mark.parametrize(("target", "fragments"), [
    ("production/scores.parquet", ("already exists", "never replaces a file")),
    ("baseline", ("already exists",)),
    ("out/existing.toml", ("already exists", "pass a new path")),
    ("candidate/new.toml", ("is inside the candidate input",)),
    ("baseline/new.toml", ("is inside the baseline input (--baseline)",)),
    ("out/report.json", ("is also the path of --json",)),
])  # fmt: skip
def test_suggest_policy_never_replaces_a_file_nor_goes_into_an_input(
    capsys: pytest.CaptureFixture[str], root: Path, target: str, fragments: tuple[str, ...]
) -> None:
    (root / "out" / "existing.toml").write_text("# reviewed\n", encoding="utf-8")
    args: tuple[object, ...] = ("--baseline", root / "baseline", "--suggest-policy", root / target)
    if target == "out/report.json":
        args += ("--json", root / target)
    compare_error(capsys, root, args, "--suggest-policy", *fragments)
    assert (root / "out" / "existing.toml").read_text(encoding="utf-8") == "# reviewed\n"


def test_suggest_policy_onto_a_dangling_link(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    (root / "out" / "link.toml").symlink_to(root / "nowhere.toml")
    args = ("--baseline", root / "baseline", "--suggest-policy", root / "out/link.toml")
    compare_error(capsys, root, args, "already exists")
    assert not (root / "nowhere.toml").exists()


# ------------------------------------------------------------------------------ the settings
@pytest.mark.parametrize(("args", "fragments"), [
    (("--noise", "sometimes"), ("--noise 'sometimes'", "use --noise pass, warn or fail")),
    (("--noise-factor", "-1"), ("--noise-factor '-1'", "finite number >= 0")),
    (("--noise-factor", "x2"), ("--noise-factor 'x2'",)),
    (("--noise-factor", "k=2"), ("--noise-factor 'k=2'", "takes no TARGET=")),
    (("--max-abs-diff", "amout=1e-9"), ("--max-abs-diff names column 'amout'", "closest: amount")),
    (("--max-rel-diff", "-1"), ("--max-rel-diff '-1'", "finite number >= 0")),
])  # fmt: skip
def test_bad_noise_flags(
    capsys: pytest.CaptureFixture[str],
    root: Path,
    args: tuple[str, ...],
    fragments: tuple[str, ...],
) -> None:
    compare_error(capsys, root, ("--baseline", root / "baseline", *args), *fragments)


@pytest.mark.parametrize(("text", "fragments"), [
    ('noise = "sometimes"\n', ("policy.toml: noise: got 'sometimes'",
                               '"pass" or "warn" or "fail"')),
    ("noise_factor = -2\n", ("policy.toml: noise_factor: got -2",)),
    ('[datasets.scores]\nnoise = "warn"\n', ("unknown key 'noise'",)),
])  # fmt: skip
def test_bad_noise_keys(
    capsys: pytest.CaptureFixture[str], root: Path, text: str, fragments: tuple[str, ...]
) -> None:
    policy = root / "out" / "policy.toml"
    policy.write_text(text, encoding="utf-8")
    compare_error(capsys, root, ("--baseline", root / "baseline", "--policy", policy), *fragments)


# ------------------------------------------------------------------------------ run
def test_run_suggest_policy_without_a_baseline_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Refused before anything runs: no run folder, no file, the repo untouched."""
    from test_runner_support import make_repo, spec_with

    repo = make_repo(tmp_path / "repo", spec_with())
    before = snapshot(repo / "inputs", repo / "dataops-diff.toml")
    outcome = invoke(capsys, "run", "--spec", repo / "dataops-diff.toml", "--quiet",
                     "--run-dir", tmp_path / "run",
                     "--suggest-policy", tmp_path / "noise.toml")  # fmt: skip
    assert_error(outcome, 2, "--suggest-policy", "needs a baseline", "pipeline.baseline = true")
    assert snapshot(repo / "inputs", repo / "dataops-diff.toml") == before
    assert not (tmp_path / "run").exists()
    assert not (tmp_path / "noise.toml").exists()
