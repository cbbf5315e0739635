"""gunicorn hooks for the scale-out load test (`make load SCALE_OUT=1`, load/scale.py); `-c` this file.

Minimal: each worker, once the application is imported, moves its start-up objects out of the
garbage collector's reach (gc.freeze), so that gen-2 collections do not walk them on every request.
Point LOAD_GUNICORN_CONF at the project's own gunicorn configuration when there is one.
"""

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    gc.collect()
    gc.freeze()
