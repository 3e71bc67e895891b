"""Worker entry point: `python -m workers [--queues followup,evidence] [--burst]`.

Builds the app once, then runs one RQ worker over the chosen queues (default: all,
or WORKER_QUEUES), always in priority order followup > evidence > imports > exports.
A small relay thread (workers/relay.py) queues what Redis may have lost: a drain
while outbox rows are pending, the next chunk of an unfinished import.
"""

from __future__ import annotations

import argparse
import logging
import threading

from service import create_app
from service.config import ConfigError
from workers.queues import QUEUES, parse_queues
from workers.relay import relay, relay_once
from workers.worker import make_worker

log = logging.getLogger("workers")


def main() -> None:
    parser = argparse.ArgumentParser(description="治超案件管理服务 RQ worker")
    parser.add_argument(
        "--queues",
        default=None,
        help=f"comma-separated, served in priority order (default: WORKER_QUEUES, else all: {','.join(QUEUES)})",
    )
    parser.add_argument("--burst", action="store_true", help="run queued jobs, then exit")
    parser.add_argument("--relay-every", type=float, default=10.0)
    args = parser.parse_args()
    try:
        app = create_app()
    except ConfigError as exc:
        parser.exit(2, f"worker 未启动：{exc}\n")
    try:
        queues = parse_queues(args.queues if args.queues is not None else app.config["WORKER_QUEUES"])
    except ValueError as exc:
        parser.error(str(exc))
    log.info("serving queues %s, in this order", ", ".join(queues))
    stop = threading.Event()
    if not args.burst:
        threading.Thread(target=relay, args=(app, stop, args.relay_every), daemon=True).start()
    relay_once(app)
    try:
        # The scheduler puts jobs retried after a transient fault back on their queue.
        make_worker(app, queues).work(burst=args.burst, with_scheduler=True)
    finally:
        stop.set()


if __name__ == "__main__":
    main()
