"""gunicorn settings shared by production and ``make load``: ``gunicorn -c fuyuan/gunicorn_conf.py fuyuan.wsgi``.

The command line still chooses the bind address, workers and threads. These hooks freeze the start-up
objects out of the garbage collector (``fuyuan.lib.memory``):

- ``when_ready`` (the master, once it listens) and ``post_fork`` (each worker as it starts): whatever is loaded;
- ``post_worker_init`` (each worker, once it has loaded the Django application): the URL patterns and views
  are loaded and the lot frozen;
- ``post_request``: once, after a worker's ``REFREEZE_AFTER``-th request, what the first pages built lazily
  (compiled templates, translation catalogues, cached querysets' classes) is frozen too.
"""

from __future__ import annotations

from typing import Any

from fuyuan.lib import memory

#: A worker freezes again once, after this many requests (the templates of the common pages are compiled by then).
REFREEZE_AFTER = 200

keepalive = 10


def when_ready(server: Any) -> None:
    memory.freeze()


def post_fork(server: Any, worker: Any) -> None:
    memory.freeze()


def post_worker_init(worker: Any) -> None:
    worker.fuyuan_requests = 0
    frozen = memory.freeze(warm=True)
    worker.log.info("gc.freeze(): %s start-up objects frozen", frozen)


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    count = getattr(worker, "fuyuan_requests", 0) + 1
    worker.fuyuan_requests = count
    if count == REFREEZE_AFTER:
        memory.freeze()
