"""Workers: newswatch's jobs on procrastinate, a task queue kept in the store's PostgreSQL database.

``newswatch worker --db postgresql://…`` runs one worker process; run as many as you like on as many
machines (see ``docs/deploy.md``). The jobs (:mod:`newswatch.workers.tasks`): ``ingest_url`` (one input
through the runner), ``poll_source`` (one live source through the poller), and two periodic ones deferred
once per tick across all workers: ``schedule_polls`` (queues the due sources, each at most once) and
``deliver_due`` (webhooks). :mod:`newswatch.workers.queue` runs a worker (with stalled-job recovery:
the jobs of a worker that stops sending heartbeats go back to the queue) and queues inputs;
:mod:`newswatch.workers.locks` keeps writes and per-host politeness in order across processes.

Delivery is at least once and every write is idempotent, so a job run twice stores nothing twice.
"""

from __future__ import annotations

from newswatch.workers.queue import WorkerOptions, enqueue_inputs, prepare_queue, run_worker, worker_dsn

__all__ = ["WorkerOptions", "enqueue_inputs", "prepare_queue", "run_worker", "worker_dsn"]
