"""``--text-column COL`` and ``--all-text``, shared by ``compare`` and ``run``.

One exact column name per ``--text-column`` (repeatable, like ``--ignore-column``), never split
at commas: a CSV header may hold ``"amount, net"``, ``a*`` or ``[x]``, and each is named as it
is. Reading every column is its own flag, ``--all-text``, so a column literally named ``*``
stays nameable.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import UsageError

TextColumnOpt = Annotated[
    list[str],
    typer.Option(
        "--text-column",
        metavar="COL",
        help="CSV/JSON: read this column as text on both sides (production name), compared by "
        "its written form exactly. One exact name per use. Repeatable.",
        rich_help_panel="Inputs",
    ),
]
AllTextOpt = Annotated[
    bool,
    typer.Option(
        "--all-text",
        metavar="",
        help="CSV/JSON: read every column as text, compared by its written form exactly.",
        rich_help_panel="Inputs",
    ),
]


def text_columns_of(values: list[str]) -> tuple[str, ...]:
    """The names given, each once; an empty name is refused, naming the flag."""
    for value in values:
        if not value:
            raise UsageError("--text-column '' names no column; give one column name per use")
    return tuple(dict.fromkeys(values))
