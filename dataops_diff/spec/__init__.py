"""Specs: how a dataset is compared (``DatasetSpec``) and how a shadow run is set up (``RunSpec``).

``dataset`` holds the validated per-dataset options every engine reads; ``run`` the shadow-run spec
and its TOML loader, ``run_datasets`` its ``[datasets]`` tables; ``checks`` the field checks whose
messages name the file, key and fix; ``starter`` the commented spec ``dataops-diff init`` writes.
"""

from .dataset import DEFAULT_SAMPLES, DatasetSpec
from .run import (
    COMMAND_PLACEHOLDERS,
    DEFAULT_SPEC,
    RunSpec,
    VersionSpec,
    expand,
    parse,
    with_overrides,
)
from .run import load as load_spec
from .run_datasets import DatasetEntry
from .starter import STARTER_SPEC

__all__ = [
    "COMMAND_PLACEHOLDERS",
    "DEFAULT_SAMPLES",
    "DEFAULT_SPEC",
    "STARTER_SPEC",
    "DatasetEntry",
    "DatasetSpec",
    "RunSpec",
    "VersionSpec",
    "expand",
    "load_spec",
    "parse",
    "with_overrides",
]
