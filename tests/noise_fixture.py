"""A deliberately nondeterministic pipeline, written by the tests (issue 15's evidence).

``write_run(folder, run)`` writes what one run of the pipeline writes; ``run`` stands for what
differs between two runs of the same code on the same inputs. Every source of noise, and the one
real change, is written down here and counted by the tests:

- ``scores.parquet`` (key ``id``, ``ROWS`` rows):
  - ``scored_at``: the run's start time, the same in every row of a run: differs in every row
    between two runs (**volatile**);
  - ``request_id``: a UUID generated per row and run (**volatile**);
  - ``amount``: a float sum of ``TERMS`` fixed terms, added in an order shuffled per run: differs
    in the last bits (relative ~1e-16) in some rows;
  - ``segment``: deterministic.
- ``top.parquet`` (key ``id``): the top ``TOP_N`` rows by score, where ``TIED`` rows tie at the
  cut and the run picks one of them: one row only on each side between two runs that pick
  differently (runs 1, 2 and 3 pick rows 0, 1 and 2 of the tie).
- The **real change** (``changed=True``): ``amount`` + 0.5 in ``CHANGED_AMOUNT`` rows and
  ``segment`` rewritten in ``CHANGED_SEGMENT`` rows, on top of the noise.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROWS = 120
TERMS = 12
TOP_N = 5
TIED = 4  # rows tied at the cut of the top-N
CHANGED_AMOUNT = 6  # ids 0..5
CHANGED_SEGMENT = 3  # ids 10..12
VOLATILE = ("request_id", "scored_at")


def _terms(i: int) -> list[float]:
    """The fixed inputs of row ``i`` (the same in every run)."""
    rng = random.Random(i)
    return [rng.uniform(-1e3, 1e3) / 7 for _ in range(TERMS)]


def scores(run: int, changed: bool = False) -> pa.Table:
    order = random.Random(1000 + run)
    amounts = []
    for i in range(ROWS):
        terms = _terms(i)
        order.shuffle(terms)
        total = 0.0
        for t in terms:  # the summation order of a parallel aggregate
            total += t
        amounts.append(total + (0.5 if changed and i < CHANGED_AMOUNT else 0.0))
    ids = random.Random(2000 + run)
    segment = [
        "changed" if changed and 10 <= i < 10 + CHANGED_SEGMENT else f"s{i % 4}"
        for i in range(ROWS)
    ]
    return pa.table({
        "id": pa.array(range(ROWS), pa.int64()),
        "amount": pa.array(amounts, pa.float64()),
        "segment": pa.array(segment, pa.string()),
        "scored_at": pa.array([f"2024-03-0{run} 10:00:0{run}"] * ROWS, pa.string()),
        "request_id": pa.array([str(uuid.UUID(int=ids.getrandbits(128))) for _ in range(ROWS)]),
    })  # fmt: skip


def top(run: int) -> pa.Table:
    """The top TOP_N by score: TOP_N - 1 clear winners, then one of TIED rows tied at the cut."""
    winners = list(range(TOP_N - 1))
    tied = [100 + t for t in range(TIED)]
    chosen = [*winners, tied[(run - 1) % TIED]]
    score = [100.0 - w for w in winners] + [50.0]
    return pa.table({"id": pa.array(chosen, pa.int64()), "score": pa.array(score, pa.float64())})


def write_run(folder: Path, run: int, changed: bool = False) -> Path:
    """One run's output folder: ``scores.parquet`` and ``top.parquet``."""
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(scores(run, changed), folder / "scores.parquet")
    pq.write_table(top(run), folder / "top.parquet")
    return folder


def deterministic(folder: Path) -> Path:
    """A run of a deterministic pipeline: run 1 without its noise (fixed time, ids, order)."""
    folder.mkdir(parents=True, exist_ok=True)
    table = scores(1)
    pq.write_table(table, folder / "scores.parquet")
    pq.write_table(top(1), folder / "top.parquet")
    return folder
