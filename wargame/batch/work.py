"""What a worker is sent for a block of runs: a function that imports nothing heavy, and its
task as pickled bytes. A Dask scheduler unpickles every task it is given; a ``blocks.Task``
and ``blocks.run_block`` would make it import the engine, pandas and pyarrow to do so (about
130 MB of its memory, measured). The worker imports them when it runs the block."""

from __future__ import annotations

import pickle
from typing import Any


def run(task: bytes) -> Any:
    """Run a block (a pickled ``blocks.Task``): its ``store.BlockResult``."""
    from wargame.batch.blocks import run_block

    return run_block(pickle.loads(task))
