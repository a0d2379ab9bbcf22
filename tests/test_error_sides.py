"""An unreadable file is named with the side it belongs to."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dataops_diff.cli import main


@pytest.mark.parametrize("broken", ["production", "candidate"])
def test_corrupt_file_error_names_its_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], broken: str
) -> None:
    paths = {side: tmp_path / f"{side}.parquet" for side in ("production", "candidate")}
    pq.write_table(pa.table({"id": [1, 2]}), paths["production"])
    pq.write_table(pa.table({"id": [1, 2]}), paths["candidate"])
    paths[broken].write_bytes(b"not parquet")
    code = main(["compare", str(paths["production"]), str(paths["candidate"]), "--key", "id"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1
    assert err[0].startswith(f"dataops-diff: error: cannot read {broken} dataset")
