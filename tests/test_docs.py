"""Drift guard: every option of every command is documented in README.md or docs/."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from dataops_diff.cli import app

ROOT = Path(__file__).parents[1]
DOCS = "\n".join(
    p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted(ROOT.glob("docs/*.md"))]
)
COMMAND = typer.main.get_command(app)
COMMANDS = sorted(getattr(COMMAND, "commands", {}).items())


def test_every_command_is_documented() -> None:
    assert {"compare", "run", "init", "report"} <= {name for name, _ in COMMANDS}
    for name, _ in COMMANDS:
        assert f"dataops-diff {name}" in DOCS, f"command '{name}' is not in README.md or docs/"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_option_is_documented(name: str, command: object) -> None:
    options = [
        opt
        for param in getattr(command, "params", [])
        for opt in getattr(param, "opts", [])
        if opt.startswith("--") and opt != "--help"
    ]
    missing = [opt for opt in options if opt not in DOCS]
    assert not missing, f"'dataops-diff {name}' options missing from README.md and docs/: {missing}"
