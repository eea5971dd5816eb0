"""What a worker is sent for a block of runs: a function that imports nothing heavy, and its
task as pickled bytes. A Dask scheduler unpickles every task it is given; a ``blocks.Task``
and ``blocks.run_block`` would make it import the engine, pandas and pyarrow to do so (about
130 MB of its memory, measured). The worker imports them when it runs the block."""

from __future__ import annotations

import pickle
import sys
from functools import cache
from typing import Any


def run(task: bytes) -> Any:
    """Run a block (a pickled ``blocks.Task``): its ``store.BlockResult``."""
    from wargame.batch.blocks import run_block

    if "distributed" in sys.modules:  # a Dask worker; the local pool never imports it
        _stop_profiler()
    return run_block(pickle.loads(task))


@cache
def _stop_profiler() -> None:
    """Stop the statistical profiler of the Dask worker running this block, once. It samples
    the running block's stack every 10 ms and keeps a second's tree of it for each of the last
    1,000 seconds: with it, 30-day runs on two workers cost 109.5 CPU ms each and a worker grew
    to 331 MiB by 10,000 runs; stopped, 93.5 ms and 222 MiB, flat (docs/batch.md)."""
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:
        return  # distributed imported, but not in a worker's task
    worker.loop.add_callback(_stop_callbacks, worker)


def _stop_callbacks(worker: Any) -> None:
    """In the worker's event loop, which owns its periodic callbacks."""
    for name in ("profile", "profile-cycle"):
        callback = worker.periodic_callbacks.pop(name, None)
        if callback is not None:
            callback.stop()
    worker.profile_history.clear()
    worker.profile_keys_history.clear()
