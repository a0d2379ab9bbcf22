"""The policy stage: (dataset diffs, run comparison, policy) -> Verdict. See docs/policy.md.

- ``rules``: THE rule table; the parser's keys, the CLI flags and the docs derive from it
- ``config``: the frozen Policy (top, dataset and column levels) and ``Limit``
- ``parse``: a Policy from a TOML table (the spec's ``[policy]`` or a ``--policy`` file)
- ``names``: every dataset and column a policy names must exist
- ``evaluate``, ``checks``, ``run_checks``, ``scope``: the decision, rule by rule
"""

from __future__ import annotations

from .config import ColumnPolicy, DatasetPolicy, FailOn, Limit, Policy, Rules, format_share
from .evaluate import evaluate
from .names import PolicyNameError, check_names, names_in
from .parse import parse_limit, parse_ratio, policy_from_dict
from .rules import RULES, RUN_RULES, SETTINGS, Setting

__all__ = [
    "RULES",
    "RUN_RULES",
    "SETTINGS",
    "ColumnPolicy",
    "DatasetPolicy",
    "FailOn",
    "Limit",
    "Policy",
    "PolicyNameError",
    "Rules",
    "Setting",
    "check_names",
    "evaluate",
    "format_share",
    "names_in",
    "parse_limit",
    "parse_ratio",
    "policy_from_dict",
]
