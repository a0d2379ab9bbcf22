"""Execute a shadow run: check the versions out, run them side by side, observe what they do.

``run`` prepares the run folder and launches both versions; ``processes`` is the only place that
starts processes (both versions and git); ``gitrefs`` checks refs out into temporary worktrees;
``observe`` reads what a run leaves behind (log tails, counters, output size, input fingerprints).
With a baseline, production runs a second time beside them (``baseline_pairs`` pairs the two).
The outputs are paired by ``pairing.pair_outputs``, the pairing ``compare`` uses too.
"""

from .processes import GRACE_SECONDS, Launch, RunState, TickFn, run_versions
from .run import (
    baseline_failure,
    baseline_pairs,
    execute,
    failed_sides,
    floor_failure,
    label,
    new_run_id,
    production_failure,
    run_pairs,
    wrote_nothing,
)

__all__ = [
    "GRACE_SECONDS",
    "Launch",
    "RunState",
    "TickFn",
    "baseline_failure",
    "baseline_pairs",
    "execute",
    "failed_sides",
    "floor_failure",
    "label",
    "new_run_id",
    "production_failure",
    "run_pairs",
    "run_versions",
    "wrote_nothing",
]
