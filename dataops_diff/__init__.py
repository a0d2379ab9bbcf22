"""dataops-diff: shadow-run a pipeline upgrade, diff every output dataset, decide, report.

The Python API, for callers who want a Report rather than a command line::

    from dataops_diff import DatasetSpec, compare
    report = compare("prod/", "cand/", DatasetSpec(key=("id",)))
    report.verdict.status  # "PASS", "WARN", "FAIL" or "ERROR"

Names are imported on first use, so ``import dataops_diff`` (and ``dataops-diff --help``) stays
light.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("dataops-diff")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from .api import compare, report, run
    from .errors import DataopsDiffError
    from .model import Report
    from .policy import Policy
    from .spec import DatasetSpec, RunSpec, load_spec

# public name -> the module that defines it
_EXPORTS = {
    "compare": "api",
    "run": "api",
    "report": "api",
    "load_spec": "spec",
    "DatasetSpec": "spec",
    "RunSpec": "spec",
    "Policy": "policy",
    "Report": "model",
    "DataopsDiffError": "errors",
}

__all__ = [  # tests/test_public_api.py keeps this and _EXPORTS in step
    "DataopsDiffError",
    "DatasetSpec",
    "Policy",
    "Report",
    "RunSpec",
    "__version__",
    "compare",
    "load_spec",
    "report",
    "run",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dataops_diff' has no attribute '{name}'")
    return getattr(importlib.import_module(f".{module}", __name__), name)
