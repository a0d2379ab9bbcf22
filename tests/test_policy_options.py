"""The policy flags: parsed by typer through ``@with_policy_options`` into the same Policy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from dataops_diff.cli.policy_options import PolicyOptions, read_policy_file, with_policy_options
from dataops_diff.errors import SpecError, UsageError
from dataops_diff.policy import ColumnPolicy, Limit, Policy, Rules

app = typer.Typer()
seen: list[PolicyOptions] = []


@app.command()
@with_policy_options
def probe(
    path: Annotated[str, typer.Argument()],
    policy_options: PolicyOptions,
    quiet: Annotated[bool, typer.Option("--quiet")] = False,
) -> None:
    assert path == "x"
    assert not quiet
    seen.append(policy_options)


@app.command()
def other() -> None:
    """A second command, so that typer keeps command names."""


def options(*args: str) -> PolicyOptions:
    seen.clear()
    result = CliRunner().invoke(app, ["probe", "x", *args])
    assert result.exit_code == 0, result.output
    return seen[0]


def test_no_flags_is_the_strict_default() -> None:
    opts = options()
    assert not opts.given()
    assert opts.policy() == Policy()


def test_flags_build_a_policy() -> None:
    opts = options(
        "--expect-change", "orders.amount",
        "--max-changed-rows", "0.5%",
        "--max-changed-rows", "orders.price=3",
        "--max-row-count-change", "1%",
        "--max-only-in-one-side", "10",
        "--max-psi", "score=0.1",
        "--max-tvd", "0.2",
        "--allow-added-columns",
        "--allow-new-datasets",
        "--warn-only", "row_count",
        "--fail-on", "warn",
    )  # fmt: skip
    assert opts.given()
    assert opts.policy() == Policy(
        rules=Rules(
            max_changed_rows=Limit(0.005, share=True),
            max_row_count_change=Limit(0.01, share=True),
            max_only_in_production=Limit(10),
            max_only_in_candidate=Limit(10),
            allow_added_columns=True,
            max_tvd=0.2,
            severity={"row_count": "warn"},
        ),
        columns={
            "orders.price": ColumnPolicy(rules=Rules(max_changed_rows=Limit(3))),
            "score": ColumnPolicy(rules=Rules(max_psi=0.1)),
        },
        expect_changes=("orders.amount",),
        allow_new_datasets=True,
        fail_on="warn",
    )


def test_flags_apply_on_top_of_the_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "spec.toml"
    path.write_text(
        '[production]\ncommand = "x"\n\n[policy]\nexpect_changes = ["orders"]\n'
        'max_changed_rows = "2%"\nseverity = { psi = "warn" }\n\n'
        "[policy.columns.amount]\nmax_changed_rows = 5\n",
        encoding="utf-8",
    )
    policy = options("--policy", str(path), "--max-changed-rows", "amount=1%",
                     "--expect-change", "refunds", "--warn-only", "ks").policy()  # fmt: skip
    assert policy.expect_changes == ("orders", "refunds")
    assert policy.rules.max_changed_rows == Limit(0.02, share=True)
    assert policy.rules.severity == {"psi": "warn", "ks": "warn"}
    assert policy.columns["amount"].rules.max_changed_rows == Limit(0.01, share=True)


def test_a_policy_file_without_a_policy_table_is_the_policy(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("allow_removed_columns = true\n[datasets.orders]\nmax_psi = 0.2\n", "utf-8")
    policy = read_policy_file(path)
    assert policy.rules.allow_removed_columns is True
    assert policy.datasets["orders"].rules.max_psi == 0.2


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("--max-changed-rows", "0.005"), UsageError,
         "--max-changed-rows '0.005': got '0.005'; write a share of rows as a string ending in %"),
        (("--max-psi", "score=high"), UsageError,
         "--max-psi 'score=high': got 'high'; write a number (0.2) or a percentage"),
        (("--warn-only", "values"), UsageError,
         "--warn-only 'values': unknown rule; use one of: expected_change, "),
        (("--fail-on", "always"), UsageError,
         "--fail-on 'always': use --fail-on fail or --fail-on warn"),
        (("--policy", "missing.toml"), UsageError,
         "--policy missing.toml: file not found; pass a TOML policy file"),
    ],
)  # fmt: skip
def test_bad_flags(args: tuple[str, ...], error: type[Exception], message: str) -> None:
    opts = options(*args)
    with pytest.raises(error) as info:
        opts.policy()
    assert str(info.value).startswith(message)


def test_bad_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[policy]\nmax_changed_rows = 0.5\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"bad.toml: policy.max_changed_rows: got 0.5; write"):
        read_policy_file(path)
    path.write_text("[policy\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"bad.toml: invalid TOML .*; fix the syntax"):
        read_policy_file(path)


def test_help_lists_every_policy_flag() -> None:
    result = CliRunner().invoke(app, ["probe", "--help"], env={"COLUMNS": "200"})
    for flag in ("--policy", "--expect-change", "--max-changed-rows", "--max-row-count-change",
                 "--max-only-in-one-side", "--max-psi", "--max-ks", "--max-tvd",
                 "--max-null-share-change", "--allow-added-columns", "--allow-removed-columns",
                 "--allow-type-changes", "--allow-new-datasets", "--allow-missing-datasets",
                 "--warn-only", "--fail-on"):  # fmt: skip
        assert flag in result.output
