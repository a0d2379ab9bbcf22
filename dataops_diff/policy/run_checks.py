"""The rule checks on a shadow run: the candidate's status, inputs, counters, time and memory."""

from __future__ import annotations

import math
from collections.abc import Callable

from ..humanize import size
from ..model import RunComparison
from .config import Policy, exact, format_share
from .scope import Outcome, Scope


def check_run(out: Outcome, run: RunComparison, policy: Policy) -> None:
    scope = Scope(policy.rules)
    candidate = run.candidate
    if candidate.status != "succeeded":
        code = f" (exit code {candidate.exit_code})" if candidate.exit_code is not None else ""
        out.violate(
            "run",
            scope.severity("run"),
            f"candidate run {candidate.status}{code}",
            kind="run",
            measured=candidate.status,
            limit="succeeded",
        )
    for inp in run.mutated_inputs:
        by = " and ".join(inp.changed_by)
        out.violate(
            "inputs",
            scope.severity("inputs"),
            f"input '{inp.path}' was changed by {by}",
            kind="inputs",
            measured=by,
            limit="unchanged",
        )
    _check_counters(out, run, policy, scope)
    _check_growth(
        out,
        scope,
        "duration",
        policy.max_slowdown,
        "duration",
        run.production.duration_seconds,
        candidate.duration_seconds,
        _seconds,
    )
    _check_growth(
        out,
        scope,
        "memory",
        policy.max_memory_growth,
        "peak memory",
        run.production.peak_memory_bytes,
        candidate.peak_memory_bytes,
        size,
    )


def _check_counters(out: Outcome, run: RunComparison, policy: Policy, scope: Scope) -> None:
    production, candidate = run.production.counters, run.candidate.counters
    for name in sorted(production.keys() | candidate.keys()):
        limit = policy.counters.get(name, policy.max_counter_change)
        p, c = production.get(name), candidate.get(name)
        if p is None or c is None:
            side = "candidate" if p is None else "production"
            allowed = policy.allow_new_counters if p is None else policy.allow_missing_counters
            message = f"counter '{name}': only in {side}"
            if allowed:
                out.classify("counter", "tolerated", f"{message}, allowed")
            else:
                out.violate(
                    "counters",
                    scope.severity("counters"),
                    f"{message}, not allowed",
                    kind="counter",
                    measured=f"only in {side}",
                    limit="not allowed",
                )
            continue
        if p == c:
            continue
        rel = abs(c - p) / abs(p) if p else math.inf
        change = f"{(c - p) / abs(p) * 100:+.3g}%" if p else "from 0"
        message = f"counter '{name}': {_number(p)} -> {_number(c)} ({change})"
        if within(c, p, limit):
            out.classify("counter", "tolerated", f"{message}, within limit {format_share(limit)}")
        else:
            out.violate(
                "counters",
                scope.severity("counters"),
                f"{message}, limit {format_share(limit)}",
                kind="counter",
                measured=rel if math.isfinite(rel) else None,
                limit=limit,
            )


def _check_growth(
    out: Outcome,
    scope: Scope,
    rule: str,
    limit: float | None,
    label: str,
    production: float | None,
    candidate: float | None,
    fmt: Callable[[float], str],
) -> None:
    if limit is None:
        return
    if production is None or candidate is None or production <= 0:
        why = "production measured 0" if production == 0 else "not recorded"
        out.not_measured(rule, f"run: {label}", why, limit, f"+{format_share(limit)}")
        return
    growth = candidate / production - 1
    message = (
        f"run: candidate {label} {fmt(candidate)} vs production {fmt(production)} "
        f"({growth * 100:+.3g}%)"
    )
    if within(candidate, production, limit, signed=True):
        if growth > 0:
            out.classify(rule, "tolerated", f"{message}, within limit +{format_share(limit)}")
        return
    out.violate(
        rule,
        scope.severity(rule),
        f"{message}, limit +{format_share(limit)}",
        kind=rule,
        measured=growth,
        limit=limit,
    )


def within(candidate: float, production: float, limit: float, signed: bool = False) -> bool:
    """Whether the change from ``production`` to ``candidate``, relative to production, is within
    ``limit``, in exact arithmetic: 110 against 100 is within "10%", although
    ``110 / 100 - 1`` is 0.10000000000000009 in floats. ``signed``: only growth counts."""
    if not all(map(math.isfinite, (candidate, production, limit))):  # set through Python
        growth = (candidate - production) / abs(production) if production else math.inf
        return (growth if signed else abs(growth)) <= limit
    base = exact(production)  # measured values too, as the decimals they print as (1.1 -> 11/10)
    change = exact(candidate) - base
    if not base:
        return change == 0
    ratio = change / abs(base)
    return (ratio if signed else abs(ratio)) <= exact(limit)


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def _number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:.6g}"
