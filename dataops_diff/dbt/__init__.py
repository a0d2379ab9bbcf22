"""The dbt preset: run a dbt project per version into its own DuckDB file, keys from its tests.

``preset``: the ``[pipeline] preset = "dbt"`` keys, the dbt command line and the generated
profile. ``manifest``: the models a version built and each model's key, from dbt's
``manifest.json``. ``pairs``: the datasets of a dbt run (its models), for ``shadow.run_pairs``.
The reference is docs/dbt.md.
"""
