"""The placeholders of a run spec's commands and environments: ``{output}``, ``{input.NAME}``, ...

Checked when the spec is read (an unknown one names its key), expanded for each version when it
starts. ``{{`` and ``}}`` are literal braces.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .checks import Checker

if TYPE_CHECKING:
    from .run import RunSpec

COMMAND_PLACEHOLDERS = ("output", "python", "side", "root", "run_dir")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def check_placeholders(c: Checker, spec: RunSpec) -> None:
    known = {*COMMAND_PLACEHOLDERS, *(f"input.{n}" for n in spec.inputs)}
    listing = ", ".join("{" + k + "}" for k in sorted(known))
    texts: list[tuple[str, str]] = []
    for side, version in (("pipeline", None), ("production", spec.production),
                          ("candidate", spec.candidate)):  # fmt: skip
        cmd = spec.command if version is None else version.command
        env = spec.env if version is None else version.env
        if cmd is not None:
            texts.extend((f"{side}.command", a) for a in ((cmd,) if isinstance(cmd, str) else cmd))
        texts.extend((f"{side}.env.{name}", v) for name, v in env.items())
    for key, text in texts:
        for m in _PLACEHOLDER.finditer(text):
            if m.group(1) is not None and m.group(1) not in known:
                raise c.error(
                    key, f"uses an unknown placeholder {{{m.group(1)}}}",
                    f"use one of {listing}, or write {{{{ and }}}} for literal braces",
                )  # fmt: skip


def expand(text: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` placeholders; ``{{`` and ``}}`` are literal braces."""

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "{{":
            return "{"
        if m.group(0) == "}}":
            return "}"
        return values[m.group(1)]

    return _PLACEHOLDER.sub(sub, text)
