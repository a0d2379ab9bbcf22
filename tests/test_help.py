"""--help: every option sits in one of the panels, and no framework type hint (``<list[str]>``,
``<str>``, ``<bool>``) is shown; users see metavars that say what to write (FILE, [COL=]N)."""

from __future__ import annotations

import re

import pytest
import typer
from hostile import invoke

from dataops_diff.cli import app
from dataops_diff.cli.app import PANELS

COMMAND = typer.main.get_command(app)
COMMANDS = sorted(getattr(COMMAND, "commands", {}).items())
NAMES = [name for name, _ in COMMANDS]
TYPE_HINT = re.compile(r"<(list|str|bool|int|float|path|file|dir)\b")


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=NAMES)
def test_every_option_names_one_of_the_panels(name: str, command: object) -> None:
    options = [p for p in getattr(command, "params", []) if isinstance(p, typer.core.TyperOption)]
    assert options or name == "init"
    outside = [
        (p.opts[0], getattr(p, "rich_help_panel", None))
        for p in options
        if getattr(p, "rich_help_panel", None) not in PANELS
    ]
    assert not outside, f"'dataops-diff {name}' options without one of {PANELS}: {outside}"


@pytest.mark.parametrize("width", ["80", "120"])
@pytest.mark.parametrize("name", ["", *NAMES])
def test_help_shows_no_type_hints(
    name: str, width: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", width)
    out = invoke(capsys, *([name] if name else []), "--help")
    assert out.code == 0
    assert "Usage: dataops-diff" in out.stdout
    hints = TYPE_HINT.findall(out.stdout)
    assert not hints, f"'dataops-diff {name} --help' shows type hints: {hints}"
    assert max(map(len, out.stdout.splitlines())) <= int(width)


def test_compare_help_lists_options_panel_by_panel(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = invoke(capsys, "compare", "--help").stdout
    titles = re.findall(r"╭─ (\w+) ─", out)
    panels = [t for t in titles if t in PANELS]
    assert panels == ["Inputs", "Matching", "Tolerances", "Policy", "Reports", "Engine"]
    assert len(set(titles)) == len(titles)  # each panel once: its options together
    for panel, flag in (("Matching", "--key"), ("Tolerances", "--abs-tol"),
                        ("Reports", "--markdown"), ("Engine", "--memory-limit"),
                        ("Policy", "--max-changed-rows")):  # fmt: skip
        section = out[out.index(f"╭─ {panel} ") :]
        section = section[: section.index("╰")]
        assert flag in section, f"{flag} is not in the {panel} panel"


def test_metavars_say_what_to_write(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "140")
    out = invoke(capsys, "compare", "--help").stdout
    for flag, metavar in (("--abs-tol", "[COL=]N"), ("--json", "FILE"), ("--engine", "duckdb"),
                          ("--max-changed-rows", "[TARGET=]LIMIT")):  # fmt: skip
        line = next(ln for ln in out.splitlines() if f"{flag} " in ln)
        assert metavar in line
    assert "PRODUCTION" in out
    assert "CANDIDATE" in out
