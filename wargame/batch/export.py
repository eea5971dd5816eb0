"""``wargame export DIR``: a finished batch's tables as CSV files, for the tools that read
spreadsheets. The daily table is streamed a record batch at a time, so its size (about 1 GB of
Parquet for 10,000 year-long runs, several times that as CSV) needs no memory to match.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from wargame.batch import store
from wargame.core import atomic
from wargame.core.options import UsageError, output_folder


def export_csv(folder: Path, out: str | None = None) -> list[Path]:
    """Write ``runs.csv`` and, if the batch kept one, ``daily.csv``; return their paths. A file
    already there is never replaced."""
    store.read_batch(folder)  # a finished batch, or one line saying why not
    target = Path(out) if out else folder / "csv"
    tables = [name for name in (store.RUNS, store.DAILY) if (folder / name).is_dir()]
    written = [target / name.replace(".parquet", ".csv") for name in tables]
    for path in written:
        if path.exists():
            raise UsageError(f"--out {target}: already holds {path.name}; remove it or choose "
                             "another folder")  # fmt: skip
    output_folder(target)
    for name, path in zip(tables, written, strict=True):
        with store.reading(folder / name), atomic.replacing(path) as tmp:
            schema = pq.read_schema(next((folder / name).glob("block-*.parquet")))
            with pcsv.CSVWriter(tmp, schema) as writer:
                for batch in store.batches(folder / name, schema.names):
                    writer.write_batch(batch)
    return written
