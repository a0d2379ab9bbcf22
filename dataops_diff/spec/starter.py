"""The commented starter spec that ``dataops-diff init`` writes (reference: docs/shadow-runs.md)."""

from __future__ import annotations

STARTER_SPEC = """\
# dataops-diff shadow-run spec. Reference: docs/shadow-runs.md
# `dataops-diff run` runs production and candidate side by side on the same inputs, each into its
# own output folder, then compares every output dataset. Paths are relative to this file.

[pipeline]
# The command, as a list of arguments (no shell). Placeholders:
#   {output}      this version's fresh output folder (also $DATAOPS_DIFF_OUTPUT)
#   {input.NAME}  the absolute path of input NAME from [inputs]
#   {python}      the version's Python interpreter (default: the one running dataops-diff)
#   {root}        this file's folder inside the version's checkout
#   {side}        "production", "candidate" or "baseline";  {run_dir}  this run's folder
command = ["{python}", "pipeline/job.py", "--input", "{input.transactions}", "--output", "{output}"]
cwd = "."          # relative to the version's checkout
timeout = 1800     # seconds, for each version
# baseline = true  # also run production a second time, at once, to learn what differs between
#                  # two runs of the same code (timestamps, float sums): the noise floor
# shell = true     # then command is one string run by /bin/sh
# [pipeline.env]
# TZ = "UTC"

[production]
ref = "main"       # a git ref, checked out into a temporary worktree; omit it for the working tree

[candidate]
# no ref: the working tree as it is
# command = [...]                     # its own command, if it differs
# python = ".venv-candidate/bin/python"
# env = { FEATURE_FLAG = "on" }

[inputs]
# Shared, immutable inputs (files or folders); a version that changes one fails the run.
transactions = "data/transactions.csv"

[defaults]
# For every dataset, listed below or not.
key = ["id"]
# abs_tol = 1e-9                      # or per column: abs_tol = { amount = 0.01 }
# rel_tol = 0.0
# ignore_columns = ["loaded_at"]

# [datasets.scores]
# path = "scores.parquet"             # relative to the output folder
# key = ["transaction_id"]
# renames = { score = "risk_score" }  # production name = candidate name
# ignore_case = false
# ignore_spaces = false
# format = "parquet"
# samples = 10

# [policy]                            # what may change: docs/policy.md
"""
