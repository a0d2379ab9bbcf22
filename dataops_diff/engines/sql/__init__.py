"""The SQL of every engine, each pass written once over a small ``Dialect`` (``dialect``):
``compare`` holds the passes both engines share, ``duckdb_passes`` and ``spark_passes`` what
only one runs (DuckDB's hash join and selective re-read; Spark's persisted differing rows), and
``profile`` what the profile passes share. Pure string building: nothing here connects or reads.
"""
