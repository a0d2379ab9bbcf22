"""The JSON report: ``model.to_dict`` with a stable key order. Schema: docs/json-report.md."""

from __future__ import annotations

import json

from ..model import Report, to_dict


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def load(text: str, source: str = "report") -> Report:
    """Read a saved JSON report back (``dataops-diff report``)."""
    from ..errors import InputError
    from ..model import SCHEMA_VERSION
    from .json_check import check_report

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"'{source}' is not JSON ({exc.msg} at line {exc.lineno}); pass a report "
                         "written by --json") from exc  # fmt: skip
    if not isinstance(data, dict):
        kind = "a JSON list" if isinstance(data, list) else f"the JSON value {str(data)[:40]!r}"
        raise InputError(f"'{source}' holds {kind}, not a report object; pass a report written "
                         "by --json")  # fmt: skip
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(
            f"'{source}' has schema_version {json.dumps(version)}, this dataops-diff reads "
            f"{SCHEMA_VERSION}; re-create it with this version"
        )
    check_report(data, source)
    try:
        return Report.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"'{source}' is not a complete dataops-diff report ({exc}); "
                         "pass a report written by --json") from exc  # fmt: skip
