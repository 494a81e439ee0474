"""Where the submissions are graded: a pool of processes on this machine, or a Dask cluster.

Both take a function and a list of tasks (argument tuples), run each task once to completion
and yield (task, result or exception) as they finish. A worker that dies takes no submission
with it: its task runs again elsewhere (Dask reschedules it; the local pool is restarted for the
tasks it had not finished), and a task that fails twice is reported as failed, not lost.

The Dask workers need only the course folder on a shared file system and this repository's
environment (see docs/grading-on-a-cluster.md).
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

ATTEMPTS = 2


def on_this_machine(fn, tasks, workers=None):
    """Run fn(*task) for every task on a pool of `workers` processes (default: one per core)."""
    workers = workers or os.cpu_count() or 1
    pending = {task: 0 for task in tasks}
    while pending:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(fn, *task): task for task in pending}
            try:
                for future in as_completed(futures):
                    task = futures[future]
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        raise
                    except Exception as err:  # noqa: BLE001 - the task itself failed
                        result = err
                    del pending[task]
                    yield task, result
            except BrokenProcessPool:  # a worker died: the pool is gone, start another
                for task in pending:
                    pending[task] += 1
                for task in [t for t, n in pending.items() if n >= ATTEMPTS]:
                    del pending[task]
                    yield task, RuntimeError("a grading worker died twice on this submission")


def on_dask(fn, tasks, address):
    """Run fn(*task) for every task on the Dask cluster whose scheduler is at `address`."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    with Client(address, timeout=60) as client:
        futures = {client.submit(fn, *task, pure=False, retries=ATTEMPTS - 1): task
                   for task in tasks}
        for future in dask_completed(futures):
            task = futures[future]
            try:
                result = future.result()
            except Exception as err:  # noqa: BLE001 - failed on every attempt
                result = err
            yield task, result
