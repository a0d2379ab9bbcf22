"""The CLI contract of the policy and the CI outputs: exit codes, files written, `report`."""

from __future__ import annotations

import importlib.util
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dataops_diff.cli import main

# prices: price of id 2 changed (1 of 3 rows); id 4 only in the candidate.
PRODUCTION = "id,price,name\n1,10.0,a\n2,20.0,b\n3,30.0,c\n"
CANDIDATE = "id,price,name\n1,10.0,a\n2,20.5,b\n3,30.0,c\n4,1.0,d\n"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    (tmp_path / "production").mkdir()
    (tmp_path / "candidate").mkdir()
    (tmp_path / "production" / "prices.csv").write_text(PRODUCTION, encoding="utf-8")
    (tmp_path / "candidate" / "prices.csv").write_text(CANDIDATE, encoding="utf-8")
    return tmp_path


def compare(root: Path, *args: str) -> int:
    return main(["compare", str(root / "production"), str(root / "candidate"), "--key", "id",
                 "--quiet", *args])  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "status"),
    [
        ((), 1, "FAIL"),
        (("--max-changed-rows", "0.5%"), 1, "FAIL"),
        (("--max-changed-rows", "price=1", "--max-only-in-one-side", "25%"), 0, "PASS"),
        (("--expect-change", "prices.price", "--warn-only", "only_in_candidate"), 0, "WARN"),
        (("--expect-change", "price", "--warn-only", "only_in_candidate", "--fail-on", "warn"),
         1, "WARN"),
        (("--expect-change", "prices"), 0, "PASS"),
        (("--expect-change", "prices.name", "--expect-change", "prices.price",
          "--allow-new-datasets", "--max-only-in-one-side", "1"), 1, "FAIL"),
    ],
)  # fmt: skip
def test_compare_exit_codes(files: Path, args: tuple[str, ...], code: int, status: str) -> None:
    out = files / "report.json"
    assert compare(files, "--json", str(out), *args) == code
    assert json.loads(out.read_text(encoding="utf-8"))["verdict"]["status"] == status


def test_policy_file(files: Path) -> None:
    policy = files / "policy.toml"
    policy.write_text('expect_changes = ["price"]\nmax_only_in_one_side = "30%"\n', "utf-8")
    assert compare(files, "--policy", str(policy)) == 0
    assert compare(files, "--policy", str(policy), "--max-only-in-one-side", "0") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--max-changed-rows", "0.005"), "--max-changed-rows '0.005': got '0.005'; write a share"),
        (("--warn-only", "nope"), "--warn-only 'nope': unknown rule; use one of: "),
        (("--policy", "missing.toml"), "--policy missing.toml: file not found"),
    ],
)
def test_bad_policy_flags_exit_2(
    files: Path, args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert compare(files, *args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dataops-diff: error: {message}")
    assert err.count("\n") == 1


def test_outputs_written_together_and_re_rendered_identically(files: Path) -> None:
    saved, md, xml = files / "r.json", files / "r.md", files / "r.xml"
    assert compare(files, "--json", str(saved), "--markdown", str(md), "--junit", str(xml)) == 1
    assert md.read_text(encoding="utf-8").startswith("## ❌ dataops-diff: FAIL\n")
    # the dataset prices, its changed column, the rules only_in_candidate and changed_rows
    assert ET.parse(xml).getroot().get("failures") == "4"
    md2, xml2, json2 = files / "again.md", files / "again.xml", files / "again.json"
    code = main(["report", str(saved), "--markdown", str(md2), "--junit", str(xml2),
                 "--json", str(json2), "--quiet"])  # fmt: skip
    assert code == 1
    assert md2.read_text(encoding="utf-8") == md.read_text(encoding="utf-8")
    assert xml2.read_text(encoding="utf-8") == xml.read_text(encoding="utf-8")
    assert json2.read_text(encoding="utf-8") == saved.read_text(encoding="utf-8")


def test_report_decides_again_with_policy_flags(files: Path) -> None:
    saved, again = files / "r.json", files / "again.json"
    assert compare(files, "--json", str(saved)) == 1
    args = ["report", str(saved), "--quiet", "--json", str(again)]
    assert main([*args, "--expect-change", "prices"]) == 0
    assert json.loads(again.read_text(encoding="utf-8"))["verdict"]["status"] == "PASS"
    # --fail-on alone keeps the saved verdict
    assert main([*args, "--fail-on", "warn"]) == 1
    assert json.loads(again.read_text(encoding="utf-8"))["verdict"]["status"] == "FAIL"


def test_report_errors_exit_2(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(files / "none.json")]) == 2
    not_json = files / "x.json"
    not_json.write_text("not json", encoding="utf-8")
    assert main(["report", str(not_json)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith("none.json' not found; pass a file written by --json")
    assert "is not JSON" in err[1]


def test_github_step_summary_is_appended(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = files / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert compare(files) == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## ❌ dataops-diff: FAIL\n")
    assert "prices.price: 1 of 3 rows changed (33.3%), limit 0" in text


DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
DEMO_POLICY = Path(__file__).resolve().parent.parent / "docs" / "examples" / "demo-policy.toml"


def test_the_demo_policy_promotes_the_bundled_example(tmp_path: Path) -> None:
    """The CI workflow's gate: the demo fails strictly and passes with its declared policy."""
    spec = importlib.util.spec_from_file_location("run_demo", DEMO / "run_demo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--dest", str(tmp_path), "--quiet"]) == 0  # strict: FAIL, as planted
    saved, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    gate = ["report", str(saved), "--quiet", "--junit", str(junit)]
    assert main([*gate, "--policy", str(DEMO_POLICY)]) == 0
    assert ET.parse(junit).getroot().get("failures") == "0"
    # one change no longer declared (the new alerts dataset) fails the gate again
    strict = DEMO_POLICY.read_text(encoding="utf-8").replace('"alerts"]', "]")
    (tmp_path / "strict.toml").write_text(strict, encoding="utf-8")
    assert main([*gate, "--policy", str(tmp_path / "strict.toml")]) == 1
