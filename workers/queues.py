"""Queues by purpose and the defaults of each kind of job: the one place that says
which work goes where, how long it may run, and whether it is tried again.

A worker serving several queues always takes from the first non-empty one, in the
order of `QUEUES`: follow-up work (布控 alerts, links to earlier cases and the
registry, daily figures) never waits behind an image, an image never behind an
import, an import never behind an export. A long import runs as a chain of short
chunk jobs, so the follow-up work queued meanwhile runs between two of its chunks.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis
from rq import Retry
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

FOLLOWUP = "followup"  # the outbox drain
EVIDENCE = "evidence"  # decoding, thumbnails and watermarks of evidence images
IMPORTS = "imports"  # CSV imports of readings and of the registry, one chunk per job
EXPORTS = "exports"  # evidence packages and other exports
QUEUES = (FOLLOWUP, EVIDENCE, IMPORTS, EXPORTS)  # priority order


@dataclass(frozen=True)
class JobKind:
    func: str
    queue: str
    timeout_s: int
    result_ttl_s: int
    # Seconds to wait before each new try after a transient fault (database or Redis
    # unreachable, a lock or serialization conflict: `workers.worker.is_transient`).
    # Any other error is a bug or a bad input: the job fails at once, recorded on its row.
    retry_after_s: tuple[int, ...] = ()

    def retry(self) -> Retry | None:
        return Retry(max=len(self.retry_after_s), interval=list(self.retry_after_s)) if self.retry_after_s else None


# No Retry: while outbox rows are pending, the next commit and the worker's relay ask
# for another drain anyway, and a row that fails is retried by the outbox itself.
DRAIN = JobKind("workers.jobs.drain_outbox", FOLLOWUP, timeout_s=600, result_ttl_s=60)
EVIDENCE_IMAGES = JobKind(
    "workers.jobs.process_evidence", EVIDENCE, timeout_s=600, result_ttl_s=600, retry_after_s=(10, 60, 300)
)
# One chunk of IMPORT_CHUNK_ROWS rows: seconds, not an hour, so the timeout is short.
IMPORT_CHUNK = JobKind(
    "workers.jobs.import_chunk", IMPORTS, timeout_s=600, result_ttl_s=3600, retry_after_s=(10, 60, 300)
)
# A police package (CONTRACT §5): a thousand cases' images streamed into one ZIP. Its progress
# is on the export's row; a transient fault starts it over (the package is written anew).
REFERRAL_PACKAGE = JobKind(
    "workers.jobs.build_referral_package", EXPORTS, timeout_s=3600, result_ttl_s=3600, retry_after_s=(10, 60)
)
# A monthly statistics report (月报): a workbook from the daily rollups, seconds; progress on its row.
STATS_REPORT = JobKind(
    "workers.jobs.build_stats_report", EXPORTS, timeout_s=900, result_ttl_s=3600, retry_after_s=(10, 60)
)


def is_transient(exc: BaseException) -> bool:
    """A fault that may pass when the job runs again a little later: the database or
    Redis unreachable, a lock held too long, a serialization conflict. A bad input, a
    missing table or a bug is not: trying again would only repeat it."""
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if type(exc.orig).__module__.startswith("sqlite3"):
        # SQLite reports a missing table as an OperationalError too; only a busy
        # database is worth waiting for.
        return isinstance(exc, OperationalError) and any(w in str(exc.orig) for w in ("locked", "busy"))
    return isinstance(exc, OperationalError | InterfaceError)


def parse_queues(text: str | None) -> tuple[str, ...]:
    """'followup,evidence' → the chosen queues in priority order; empty → all of them."""
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    unknown = [n for n in names if n not in QUEUES]
    if unknown:
        raise ValueError(f"未知队列：{'、'.join(unknown)}（可选：{','.join(QUEUES)}）")
    return tuple(q for q in QUEUES if q in names) or QUEUES


def import_job_id(import_job_id: int, rows_done: int) -> str:
    """The chunk that starts after `rows_done` rows of import `import_job_id` runs once."""
    return f"import-{import_job_id}-{rows_done}"


def referral_package_job_id(export_id: int) -> str:
    return f"referral-package-{export_id}"


def stats_report_job_id(report_id: int) -> str:
    return f"stats-report-{report_id}"


def evidence_job_id(evidence_ids: list[int]) -> str:
    return f"evidence-{evidence_ids[0]}-{evidence_ids[-1]}-{len(evidence_ids)}"
