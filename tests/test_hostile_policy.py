"""Hostile inputs for the policy: misspelt names, malformed limits, bad policy files, boundaries.

Each error case asserts exit code 2, the one stderr line naming the flag or key and the fix, and
that no input changed. A misspelt name must never turn a guardrail off (issue 11, item 8); a share
limit must hold exactly at the limit (issue 12, item 7).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile import assert_error, invoke, snapshot
from test_runner_support import make_repo, spec_with

ORDERS_P = "id,amount,note\n1,10,a\n2,20,b\n3,30,c\n"
ORDERS_C = "id,amount,note\n1,10,a\n2,21,b\n3,30,c\n"
REFUNDS = "id,amount\n1,5\n"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    for side, orders in (("production", ORDERS_P), ("candidate", ORDERS_C)):
        (tmp_path / side).mkdir()
        (tmp_path / side / "orders.csv").write_text(orders, encoding="utf-8")
        (tmp_path / side / "refunds.csv").write_text(REFUNDS, encoding="utf-8")
    return tmp_path


def compare_error(
    capsys: pytest.CaptureFixture[str], root: Path, args: tuple[str, ...], *fragments: str
) -> str:
    """Compare the two folders with ``args``: exit 2, one line, no input touched, no report."""
    before = snapshot(root)
    (root / "out").mkdir(exist_ok=True)
    report = root / "out" / "report.json"
    outcome = invoke(capsys, "compare", root / "production", root / "candidate", "--key", "id",
                     "--json", report, *args)  # fmt: skip
    line = assert_error(outcome, 2, *fragments)
    assert snapshot(root) == before
    assert not report.exists()
    return line


# ------------------------------------------------------------- misspelt names, from flags
@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--max-psi", "amout=0.1"),
         ("--max-psi names column 'amout', which no dataset has (closest: amount",
          "fix --max-psi")),
        (("--max-ks", "orders.amout=0.1"), ("--max-ks names column 'orders.amout'",
                                             "closest: orders.amount", "fix --max-ks")),
        (("--max-tvd", "ordres.note=0.1"), ("--max-tvd names column 'ordres.note'",
                                            "closest: orders.note", "fix --max-tvd")),
        (("--max-null-share-change", "Amount=0.1"),
         ("--max-null-share-change names column 'Amount'", "closest: amount")),
        (("--max-changed-rows", "amout=1%"),
         ("--max-changed-rows names column 'amout'", "closest: amount",
          "fix --max-changed-rows")),
        (("--max-changed-rows", "zzzz=1"),
         ("--max-changed-rows names column 'zzzz', which no dataset has (columns: amount, id",
          "fix --max-changed-rows")),
        (("--expect-change", "ordres"),
         ("--expect-change names 'ordres', which is no dataset or column (closest: orders",
          "fix --expect-change")),
        (("--expect-change", "orders.amout"),
         ("--expect-change names 'orders.amout'", "closest: orders.amount")),
        (("--max-psi", "amount=0.1", "--max-psi", "not_there=0.2"),
         ("--max-psi names column 'not_there'",)),
    ],
)  # fmt: skip
def test_a_misspelt_name_in_a_flag_is_an_error(
    capsys: pytest.CaptureFixture[str],
    root: Path,
    args: tuple[str, ...],
    fragments: tuple[str, ...],
) -> None:
    compare_error(capsys, root, args, *fragments)


def test_a_misspelt_name_is_an_error_even_when_quiet(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    """Once a WARN that --quiet hid; now an error that nothing hides."""
    compare_error(capsys, root, ("--quiet", "--max-psi", "amout=0.1"), "closest: amount")


# ------------------------------------------------------------- misspelt names, in a policy file
@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("[datasets.ordres]\nmax_changed_rows = 1\n",
         ("policy.toml: datasets.ordres names dataset 'ordres', which neither version has "
          "(closest: orders)", "fix the name")),
        ("[policy.columns.amout]\nmax_psi = 0.1\n",
         ("policy.toml: policy.columns.amout names column 'amout'", "(closest: amount)")),
        ("[datasets.orders.columns.amout]\nmax_changed_rows = 1\n",
         ("policy.toml: datasets.orders.columns.amout names column 'amout', which dataset "
          "'orders' has in neither version (closest: amount)",)),
        ("[datasets.refunds.columns.note]\nallow_type_changes = true\n",
         ("datasets.refunds.columns.note names column 'note', which dataset 'refunds' has in "
          "neither version",)),
        ('expect_changes = ["orders.amout"]\n',
         ("policy.toml: expect_changes names 'orders.amout'", "closest: orders.amount")),
        ('[columns."orders.amout"]\nmax_ks = 0.2\n',
         ('policy.toml: columns."orders.amout" names column',)),
    ],
)  # fmt: skip
def test_a_misspelt_name_in_a_policy_file_is_an_error(
    capsys: pytest.CaptureFixture[str], root: Path, text: str, fragments: tuple[str, ...]
) -> None:
    policy = root / "policy.toml"
    policy.write_text(text, encoding="utf-8")
    compare_error(capsys, root, ("--policy", str(policy)), *fragments)


def test_a_misspelt_name_in_a_run_spec_policy_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    extra = "\n[policy.columns.valeu]\nmax_psi = 0.1\n"
    repo = make_repo(tmp_path / "repo", spec_with(extra=extra))
    before = snapshot(repo / "inputs", repo / "dataops-diff.toml")
    outcome = invoke(capsys, "run", "--spec", repo / "dataops-diff.toml", "--quiet",
                     "--run-dir", tmp_path / "run")  # fmt: skip
    assert_error(
        outcome, 2, "dataops-diff.toml: policy.columns.valeu names column 'valeu'",
        "which no dataset has (closest: value)",
    )  # fmt: skip
    assert snapshot(repo / "inputs", repo / "dataops-diff.toml") == before


# ------------------------------------------------------------- malformed limits
@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--max-changed-rows", "abc"),
         ("--max-changed-rows 'abc': got 'abc'; write a share of rows as a string ending in %",)),
        (("--max-changed-rows", "-5%"), ("--max-changed-rows '-5%'", "finite number >= 0")),
        (("--max-changed-rows", "150%"), ("--max-changed-rows '150%'", "at most 100%")),
        (("--max-changed-rows", "nan"), ("--max-changed-rows 'nan'", "ending in %")),
        (("--max-changed-rows", "nan%"), ("--max-changed-rows 'nan%'", "finite number >= 0")),
        (("--max-changed-rows", "inf%"), ("--max-changed-rows 'inf%'", "finite number >= 0")),
        (("--max-changed-rows", "0.005"), ("--max-changed-rows '0.005'", "ending in %")),
        (("--max-row-count-change", "-1"), ("--max-row-count-change '-1'", "ending in %")),
        (("--max-only-in-one-side", "1e999%"),
         ("--max-only-in-one-side '1e999%'", "finite number >= 0")),
        (("--max-psi", "inf"), ("--max-psi 'inf'", "finite number >= 0")),
        (("--max-psi", "amount=-0.1"), ("--max-psi 'amount=-0.1'", "finite number >= 0")),
        (("--max-ks", "amount=high"), ("--max-ks 'amount=high'", "write a number (0.2)")),
        (("--max-row-count-change", "orders=1%"),
         ("--max-row-count-change 'orders=1%'", "takes no TARGET=",
          "pass --max-row-count-change 1%")),
        (("--warn-only", "policy"), ("--warn-only 'policy': unknown rule; use one of:",)),
        (("--fail-on", "never"), ("--fail-on 'never': use --fail-on fail or --fail-on warn",)),
    ],
)  # fmt: skip
def test_a_malformed_limit_is_an_error(
    capsys: pytest.CaptureFixture[str],
    root: Path,
    args: tuple[str, ...],
    fragments: tuple[str, ...],
) -> None:
    compare_error(capsys, root, args, *fragments)


# ------------------------------------------------------------- unknown keys and wrong types
@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("max_changed_row = 1\n",
         ("policy.toml: unknown key 'max_changed_row'; use one of: ", "max_changed_rows")),
        ("[policy]\nmax_changed_rows = 0.5\n",
         ("policy.toml: policy.max_changed_rows: got 0.5; write a share of rows",)),
        ("allow_added_columns = \"yes\"\n",
         ("policy.toml: allow_added_columns: got 'yes'; write true or false",)),
        ("datasets = 1\n", ("policy.toml: datasets: expected a table, got 1; write [datasets]",)),
        ("[policy]\nseverity = { policy = \"warn\" }\n",
         ("policy.toml: policy.severity: unknown rule 'policy'; use one of:",)),
        ("[columns.amount]\nmax_psi = \"high\"\n",
         ("policy.toml: columns.amount.max_psi: got 'high'",)),
        ("[datasets.orders.columns.amount]\nallow_added_columns = true\n",
         ("policy.toml: datasets.orders.columns.amount: unknown key 'allow_added_columns'",)),
        ("expect_changes = \"orders\"\n",
         ("policy.toml: expect_changes: expected a list of names",)),
        ("policy = 3\n", ("policy.toml: policy: expected a table, got 3; write [policy]",)),
        ("fail_on = \"sometimes\"\n", ("policy.toml: fail_on: got 'sometimes'",)),
    ],
)  # fmt: skip
def test_a_bad_policy_file_key_is_an_error(
    capsys: pytest.CaptureFixture[str], root: Path, text: str, fragments: tuple[str, ...]
) -> None:
    policy = root / "policy.toml"
    policy.write_text(text, encoding="utf-8")
    compare_error(capsys, root, ("--policy", str(policy)), *fragments)


# ------------------------------------------------------------- unreadable policy files
@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        (b"", ("policy.toml: the policy file is empty; write a policy",)),
        (b"  \n\n", ("policy.toml: the policy file is empty",)),
        (b"\x00\x01\x02binary\xff\xfe", ("policy.toml: not UTF-8 text (byte 9)", "as UTF-8")),
        ("max_changed_rows = \"5%\" # déjà\n".encode("latin-1"), ("not UTF-8 text",)),
        (b"\x00\x00\x00\x00", ("policy.toml: invalid TOML", "fix the syntax")),
        (b"[policy\nmax_psi = 1\n", ("policy.toml: invalid TOML", "fix the syntax")),
    ],
)  # fmt: skip
def test_an_unreadable_policy_file_is_an_error(
    capsys: pytest.CaptureFixture[str], root: Path, content: bytes, fragments: tuple[str, ...]
) -> None:
    policy = root / "policy.toml"
    policy.write_bytes(content)
    compare_error(capsys, root, ("--policy", str(policy)), *fragments)


def test_a_policy_path_that_is_a_folder(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    folder = root / "policies"
    folder.mkdir()
    compare_error(capsys, root, ("--policy", str(folder)), "--policy", "is a folder")


def test_a_missing_policy_file(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    compare_error(capsys, root, ("--policy", str(root / "nope.toml")), "file not found")


# ------------------------------------------------------------- boundaries: exact shares
@pytest.mark.parametrize(
    ("changed", "limit", "code"),
    [(29, "29%", 0), (30, "29%", 1), (57, "57%", 0), (58, "58%", 0), (59, "58%", 1),
     (1, "1%", 0), (100, "100%", 0), (0, "0%", 0), (1, "0%", 1)],
)  # fmt: skip
def test_a_share_limit_holds_exactly_at_the_limit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, changed: int, limit: str, code: int
) -> None:
    """``changed`` of 100 rows differ: PASS at the limit, FAIL one row over it."""
    rows = range(100)
    for side, offset in (("production", 0), ("candidate", 1)):
        lines = [f"{i},{i + (offset if i < changed else 0)}" for i in rows]
        (tmp_path / side).mkdir()
        (tmp_path / side / "t.csv").write_text("id,v\n" + "\n".join(lines) + "\n", "utf-8")
    report = tmp_path / "report.json"
    outcome = invoke(capsys, "compare", tmp_path / "production", tmp_path / "candidate",
                     "--key", "id", "--max-changed-rows", limit, "--json", report)  # fmt: skip
    assert outcome.code == code, outcome.stdout
    verdict = json.loads(report.read_text(encoding="utf-8"))["verdict"]
    assert verdict["status"] == ("PASS" if code == 0 else "FAIL")
    messages = [f["message"] for f in verdict["findings"]]
    if changed and code == 0:
        assert messages == [f"t.v: {changed}% of rows changed ({changed} of 100), "
                            f"within limit {limit}"]  # fmt: skip
    if code == 1:
        assert verdict["reasons"][0]["message"].endswith(f"({changed} of 100), limit {limit}")
