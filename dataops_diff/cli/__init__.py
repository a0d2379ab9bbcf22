"""The command line: typer commands that parse, call the library, render and exit. No diff logic."""

from __future__ import annotations

from . import compare as compare  # registers the command
from . import report as report  # registers `report`
from . import run as run  # registers `run` and `init`
from .app import app, main

__all__ = ["app", "main"]
