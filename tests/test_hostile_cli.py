"""Hostile CLI input: flag values, hand-edited saved reports, and names that try to escape a report.

Errors assert the hostile-input contract (tests/hostile.py): the exit code, one stderr line naming
the culprit, inputs unchanged. Escaping cases assert what each format shows instead.
"""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hostile import assert_error, invoke, snapshot

from dataops_diff.humanize import visible
from dataops_diff.reports import markdown

# ------------------------------------------------------------------------------- flag values


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.chdir(tmp_path)
    prod, cand = tmp_path / "production.csv", tmp_path / "candidate.csv"
    prod.write_text("id,a,v\n1,x,10\n2,y,20\n", encoding="utf-8")
    cand.write_text("id,a,v\n1,x,10\n2,y,21\n", encoding="utf-8")
    return prod, cand


@pytest.mark.parametrize(
    ("keys", "fragments"),
    [
        (("--key", "id", "--key", "a"), ("--key given twice for every dataset", "--key id,a")),
        (("-k", "id", "--key", "id"), ("--key 'id' is given twice; pass it once",)),
        (
            ("--key", "production=id", "--key", "production=a"),
            ("twice for dataset 'production'", "--key production=id,a"),
        ),
        (("--key", "id,id"), ("--key 'id,id' names column 'id' twice",)),
        (("--key", "id,,a"), ("--key 'id,,a' has an empty column name",)),
        (("--key", "=id"), ("--key '=id' names no dataset",)),
        (("--key", "orders="), ("--key 'orders=' has an empty column name",)),
    ],
)
def test_key_given_twice_is_refused(
    capsys: pytest.CaptureFixture[str],
    files: tuple[Path, Path],
    keys: tuple[str, ...],
    fragments: tuple[str, ...],
) -> None:
    before = snapshot(*files)
    out = invoke(capsys, "compare", *files, *keys, "--quiet")
    assert_error(out, 2, *fragments)
    assert snapshot(*files) == before


def test_a_composite_key_is_one_flag(capsys: pytest.CaptureFixture[str], files: Any) -> None:
    out = invoke(capsys, "compare", *files, "--key", "id,a", "--json", "r.json", "--quiet")
    assert out.code == 1, out.stderr
    report = json.loads(Path("r.json").read_text(encoding="utf-8"))
    assert report["datasets"][0]["key"] == ["id", "a"]


@pytest.mark.parametrize("samples", ["1000000", "10001", str(2**63)])
def test_samples_out_of_range(capsys: pytest.CaptureFixture[str], files: Any, samples: str) -> None:
    before = snapshot(*files)
    out = invoke(capsys, "compare", *files, "--key", "id", "--samples", samples, "-q")
    assert_error(out, 2, "--samples", "10,000")
    assert snapshot(*files) == before


@pytest.mark.parametrize("samples", ["-1", "many"])
def test_samples_not_a_count(capsys: pytest.CaptureFixture[str], files: Any, samples: str) -> None:
    out = invoke(capsys, "compare", *files, "--key", "id", "--samples", samples, "-q")
    assert_error(out, 2, "--samples")


def test_samples_at_the_bound(capsys: pytest.CaptureFixture[str], files: Any) -> None:
    out = invoke(capsys, "compare", *files, "--key", "id", "--samples", "10000", "-q")
    assert out.code == 1, out.stderr
    assert out.stdout.startswith("FAIL")


# ---------------------------------------------------------------------------- saved reports
@pytest.fixture
def saved(capsys: pytest.CaptureFixture[str], files: Any, tmp_path: Path) -> dict[str, Any]:
    out = invoke(capsys, "compare", *files, "--key", "id", "--json", "saved.json", "-q")
    assert out.code == 1, out.stderr
    data: dict[str, Any] = json.loads((tmp_path / "saved.json").read_text(encoding="utf-8"))
    return data


def _edit(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``data`` with the field at ``path`` (``a.b[0].c``) set, or removed for ...."""
    data = copy.deepcopy(data)
    parts = path.replace("[", ".").replace("]", "").split(".")
    node: Any = data
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "fragments"),
    [
        ("verdict.status", "MAYBE", ('verdict.status is "MAYBE"', '"PASS", "WARN", "FAIL"')),
        ("datasets[0].matched_rows", "many", ('datasets[0].matched_rows is "many"', "integer")),
        ("datasets[0].columns[0].unequal", 1.5, ("datasets[0].columns[0].unequal", "integer")),
        ("datasets[0].name", ..., ("datasets[0].name is missing",)),
        ("verdict", ..., ("verdict is missing",)),
        ("datasets", None, ("datasets is null, not a list",)),
        ("datasets[0].status", "gone", ("datasets[0].status", '"compared"')),
        ("verdict.reasons[0].severity", "fatal", ("verdict.reasons[0].severity", '"fail"')),
        ("datasets[0].identical", "no", ("datasets[0].identical", "true or false")),
        ("surprise", 1, ("surprise is not a field of Report",)),
        ("run", [], ("run is a list",)),
    ],
)
def test_hand_edited_report(
    capsys: pytest.CaptureFixture[str],
    saved: dict[str, Any],
    tmp_path: Path,
    path: str,
    value: Any,
    fragments: tuple[str, ...],
) -> None:
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(_edit(saved, path, value)), encoding="utf-8")
    before = snapshot(edited)
    out = invoke(capsys, "report", edited, "--markdown", "out.md", "--html", "out.html")
    assert_error(out, 2, "'", "edited.json", "not a valid dataops-diff report", *fragments)
    assert snapshot(edited) == before
    assert not Path("out.md").exists()
    assert not Path("out.html").exists()


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("[1, 2]", ("holds a JSON list, not a report object",)),
        ('"report"', ("not a report object",)),
        ("", ("is not JSON",)),
        ('{"schema_version": 1', ("is not JSON",)),
        ('{"schema_version": 99}', ("schema_version 99",)),
        ("{}", ("schema_version null",)),
    ],
)
def test_not_a_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, fragments: tuple[str, ...]
) -> None:
    path = tmp_path / "saved.json"
    path.write_text(text, encoding="utf-8")
    out = invoke(capsys, "report", path, "--quiet")
    assert_error(out, 2, "saved.json", *fragments)


def test_non_finite_number_in_a_report(
    capsys: pytest.CaptureFixture[str], saved: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "nan.json"
    saved["datasets"][0]["columns"][0]["abs_tol"] = float("nan")
    path.write_text(json.dumps(saved), encoding="utf-8")  # json writes NaN, which JSON lacks
    out = invoke(capsys, "report", path, "--json", "again.json", "--quiet")
    assert_error(out, 2, "datasets[0].columns[0].abs_tol is nan, not a finite number")


def test_report_without_optional_fields_is_read(
    capsys: pytest.CaptureFixture[str], saved: dict[str, Any], tmp_path: Path
) -> None:
    """Fields with a default may be missing (added within one schema version)."""
    path = tmp_path / "older.json"
    for name in ("options", "tool_version", "engine"):
        del saved[name]
    path.write_text(json.dumps(saved), encoding="utf-8")
    out = invoke(capsys, "report", path, "--markdown", "out.md", "--quiet")
    assert out.code == 1, out.stderr
    assert "dataops-diff: FAIL" in Path("out.md").read_text(encoding="utf-8")


# -------------------------------------------------------------------------------- escaping
HOSTILE = ("\x1b[31mred", "[/amount]", "<script>alert(1)</script>", "|pipe|", "a\u202eb")
RAW = ("\x1b", "\u202e")  # must never reach any output


@pytest.fixture
def hostile_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, dict[str, str]]:
    """Compare two Parquet files whose column names and values are hostile; every format."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "in\u2066put"
    folder.mkdir()
    for side, offset in (("production", 0), ("candidate", 1)):
        columns: dict[str, list[Any]] = {"id": [1, 2]}
        for i, name in enumerate(HOSTILE):
            columns[name] = [f"{name} {i}", f"{name} {i + offset}"]
        pq.write_table(pa.table(columns), folder / f"{side}.parquet")
    paths = {"json": "r.json", "html": "r.html", "markdown": "r.md", "junit": "r.xml"}
    flags = [a for fmt, p in paths.items() for a in (f"--{fmt}", p)]
    out = invoke(
        capsys, "compare", folder / "production.parquet", folder / "candidate.parquet",
        "--key", "id", *flags,
    )  # fmt: skip
    assert out.code == 1, out.stderr
    return out.stdout, {fmt: Path(p).read_text(encoding="utf-8") for fmt, p in paths.items()}


@pytest.mark.parametrize("fmt", ["terminal", "html", "markdown", "junit"])
def test_no_raw_control_or_bidi_character(hostile_run: Any, fmt: str) -> None:
    terminal, files = hostile_run
    text = terminal if fmt == "terminal" else files[fmt]
    for raw in (*RAW, "\u2066"):
        assert raw not in text, (fmt, raw)
    assert "x1b[31mred" in text
    assert "u202e" in text


def test_terminal_shows_names_as_typed(hostile_run: Any) -> None:
    terminal, _ = hostile_run
    assert "\\x1b[31mred" in terminal  # shown, not interpreted
    assert "[/amount]" in terminal  # rich markup escaped: shown as typed, no crash
    assert "a\\u202eb" in terminal
    assert "in\\u2066put" in terminal  # the compared path


def test_markdown_keeps_its_structure(hostile_run: Any) -> None:
    _, files = hostile_run
    md = files["markdown"]
    assert "<script>" not in md
    assert "&lt;script>" in md
    assert "\\|pipe\\|" in md  # a pipe cannot open a table cell
    assert "\\[/amount\\]" in md
    assert markdown.text("a\u202eb") == "a\\\\u202eb"  # the backslash itself escaped for Markdown


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_keeps_script_as_text(hostile_run: Any) -> None:
    _, files = hostile_run
    parser = _Elements()
    parser.feed(files["html"])
    assert "script" not in parser.tags
    text = "".join(parser.text)
    assert "<script>alert(1)</script>" in text
    assert "a\\u202eb" in text
    assert "\\x1b[31mred" in text


def test_junit_is_valid_xml_with_escapes(hostile_run: Any) -> None:
    _, files = hostile_run
    root = ET.fromstring(files["junit"])
    text = ET.tostring(root, encoding="unicode")
    assert "\\x1b[31mred" in text


def test_json_keeps_the_data_exact(hostile_run: Any) -> None:
    """JSON is data, not display: names are kept exactly (a reader escapes them when showing)."""
    _, files = hostile_run
    names = [c["name"] for c in json.loads(files["json"])["datasets"][0]["columns"]]
    assert set(HOSTILE) <= set(names)


def test_error_line_escapes_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = invoke(capsys, "compare", "no\x1b[2Jpe.csv", "x\u202e.csv", "--key", "id")
    line = assert_error(out, 2, "no\\x1b[2Jpe.csv")
    assert "\x1b" not in line
    assert "\u202e" not in line


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31m", "\\x1b[31m"),
        ("a\u202eb", "a\\u202eb"),
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
        ("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"),
        ("\x85\x9b", "\\x85\\x9b"),  # C1: NEL and CSI
        ("\x00\x7f", "\\x00\\x7f"),
        ("tab\tline\nend\r", "tab\\x09line\\x0aend\\x0d"),
        ("plain é ✓ 日本", "plain é ✓ 日本"),
    ],
)
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert visible(text, lines=True) == (text if text.startswith("tab") else shown)
