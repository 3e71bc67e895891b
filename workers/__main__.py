"""Worker entry point: `python -m workers [--burst]`.

Builds the app once, then runs one RQ worker. A small relay thread re-queues a
drain of the outbox while rows are pending, which is how work recorded during
a Redis outage gets done once Redis is back.
"""

from __future__ import annotations

import argparse
import logging
import threading

from service import create_app
from service.outbox import pending_count
from service.queueing import request_drain
from workers.worker import make_worker

log = logging.getLogger("workers")


def relay(app, stop: threading.Event, every_s: float) -> None:
    while not stop.wait(every_s):
        try:
            with app.app_context():
                if pending_count():
                    request_drain(app)
        except Exception:  # noqa: BLE001 - keep relaying through DB/Redis hiccups
            log.exception("outbox relay failed; will retry")


def main() -> None:
    parser = argparse.ArgumentParser(description="治超案件管理服务 RQ worker")
    parser.add_argument("--burst", action="store_true", help="run queued jobs, then exit")
    parser.add_argument("--relay-every", type=float, default=10.0)
    args = parser.parse_args()
    app = create_app()
    stop = threading.Event()
    if not args.burst:
        threading.Thread(target=relay, args=(app, stop, args.relay_every), daemon=True).start()
    with app.app_context():
        if pending_count():
            request_drain(app)
    try:
        make_worker(app).work(burst=args.burst, with_scheduler=False)
    finally:
        stop.set()


if __name__ == "__main__":
    main()
