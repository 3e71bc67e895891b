"""Queues by purpose, with a real RQ worker in burst mode: each kind of job on its queue,
follow-up work (布控 alerts) never waiting behind an import, a worker serving only some
queues, imports in chunks that survive a crash between two of them, and the one
after-commit hook that asks for the drain."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import func, select, text

from models import Alert, ImportJob, OutboxEvent, Reading
from service.extensions import db
from service.queueing import drain_requests, get_redis
from tests.conftest import ago, reading
from tests.workers.test_evidence import jpeg
from workers import queues
from workers.worker import make_worker

WATCHED = "吉A77777"
HEADER = "site_code,record_id,captured_at,plate,plate_color,axle_count,vehicle_type,gross_weight_kg\n"


def csv_text(rows: int, watched_at: tuple[int, ...] = ()) -> str:
    when = ago(hours=2)
    lines = [HEADER]
    for i in range(rows):
        plate = WATCHED if i in watched_at else f"吉B{10000 + i}"
        lines.append(f"JL-WIM-01,C-{i:04d},{when},{plate},黄,6,combination,{40000 + i * 100}\n")
    return "".join(lines)


def upload(client, headers, content: str, path="/api/v1/readings/imports", **form) -> int:
    data = {"file": (io.BytesIO(content.encode("utf-8")), "f.csv"), **form}
    res = client.post(path, data=data, headers=headers, content_type="multipart/form-data")
    assert res.status_code == 202, res.get_json()
    return res.get_json()["id"]


def queue(app, name: str) -> Queue:
    return Queue(name, connection=get_redis(app), serializer=JSONSerializer)


def watch(client, login, plate: str = WATCHED) -> None:
    until = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    res = client.post(
        "/api/v1/watchlist", headers=login("supervisor"), json={"plate": plate, "reason": "多次闯卡", "ends_at": until}
    )
    assert res.status_code == 201


def run_jobs(app, names, count: int) -> None:
    """A worker that stops after `count` jobs: an import left part-way."""
    make_worker(app, names, name=f"partial-{time.monotonic_ns()}").work(burst=True, max_jobs=count)


def stored_import(app, import_id: int) -> ImportJob:
    with app.app_context():
        job = db.session.get(ImportJob, import_id)
        db.session.expunge(job)
        return job


def test_each_kind_of_job_lands_on_its_queue_with_its_defaults(app, client, make_site, login, run_worker):
    _, device = make_site("JL-WIM-01")
    admin = login("admin")
    client.post("/api/v1/readings", headers=device, json={"readings": [reading()]})
    image = client.post(
        "/api/v1/evidence",
        headers=device,
        content_type="multipart/form-data",
        data={
            "site_code": "JL-WIM-01",
            "record_id": "R-0001",
            "kind": "overview",
            "file": (io.BytesIO(jpeg()), "a.jpg"),
        },
    ).get_json()
    import_id = upload(client, admin, csv_text(3))

    run_worker([queues.FOLLOWUP])  # the drain, which queues the image and the import work

    [evidence_job] = queue(app, queues.EVIDENCE).get_jobs()
    assert evidence_job.func_name == queues.EVIDENCE_IMAGES.func
    assert evidence_job.id == f"evidence-{image['id']}-{image['id']}-1"
    [import_job] = queue(app, queues.IMPORTS).get_jobs()
    assert (import_job.func_name, import_job.id) == (queues.IMPORT_CHUNK.func, f"import-{import_id}-0")
    assert import_job.timeout == queues.IMPORT_CHUNK.timeout_s and import_job.retries_left == 3
    assert len(queue(app, queues.FOLLOWUP)) == 0 and len(queue(app, queues.EXPORTS)) == 0

    client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id="R-0002")]})
    drain_requests(app).flush()  # what the web process's thread does within moments
    [drain_job] = queue(app, queues.FOLLOWUP).get_jobs()
    assert drain_job.func_name == queues.DRAIN.func and drain_job.retries_left is None


def test_one_worker_raises_watch_alerts_between_the_chunks_of_a_long_import(app, client, make_site, login, run_worker):
    _, device = make_site("JL-WIM-01")
    admin = login("admin")
    watch(client, login)
    app.config["IMPORT_CHUNK_ROWS"] = 10
    # The watched plate passes in the file's 3rd chunk (rows 21–30) …
    import_id = upload(client, admin, csv_text(50, watched_at=(25,)))
    run_worker([queues.FOLLOWUP])  # queues the first chunk
    run_jobs(app, [queues.IMPORTS], 1)  # … and the import is under way: 10 of 50 rows
    assert stored_import(app, import_id).rows_done == 10
    assert queue(app, queues.IMPORTS).job_ids == [f"import-{import_id}-10"]
    # … when a device posts a pass of the watched plate.
    client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id="LIVE", plate=WATCHED)]})

    run_worker()  # ONE worker, all queues, in priority order

    job = stored_import(app, import_id)
    assert (job.status, job.rows_done, job.accepted) == ("done", 50, 50)
    with app.app_context():
        alerts = dict(
            db.session.execute(
                select(Reading.record_id, Alert.raised_at).join(Reading, Reading.id == Alert.reading_id)
            ).all()
        )

        def imported_before(moment: datetime) -> int:
            return db.session.scalar(
                select(func.count()).select_from(Reading).where(Reading.source == "csv", Reading.received_at < moment)
            )

        assert set(alerts) == {"LIVE", "C-0025"}
        # The live pass was alerted before the import's next chunk ran, not after its last one …
        assert alerts["LIVE"] < job.finished_at and imported_before(alerts["LIVE"]) == 10
        # … and the imported pass right after its own chunk, while 20 rows were still to come.
        assert alerts["C-0025"] < job.finished_at and imported_before(alerts["C-0025"]) == 30


def test_a_worker_serving_only_imports_leaves_the_drain_to_others(app, client, make_site, login, run_worker):
    _, device = make_site("JL-WIM-01")
    admin = login("admin")
    watch(client, login)
    import_id = upload(client, admin, csv_text(5))
    run_worker([queues.FOLLOWUP])
    client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id="LIVE", plate=WATCHED)]})

    run_worker([queues.IMPORTS])

    assert stored_import(app, import_id).status == "done"
    assert queue(app, queues.FOLLOWUP).get_jobs()[0].func_name == queues.DRAIN.func
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Alert)) == 0
        assert db.session.scalar(select(func.count()).where(OutboxEvent.processed_at.is_(None))) == 2

    run_worker([queues.FOLLOWUP])

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Alert)) == 1


def test_an_import_whose_next_chunk_was_lost_in_a_crash_is_resumed_by_the_relay(
    app, client, make_site, login, run_worker
):
    from workers.relay import resume_imports

    make_site("JL-WIM-01")
    admin = login("admin")
    app.config["IMPORT_CHUNK_ROWS"] = 10
    import_id = upload(client, admin, csv_text(25))
    run_worker([queues.FOLLOWUP])
    run_jobs(app, [queues.IMPORTS], 1)
    # The worker died after committing rows 1–10 and before its next chunk reached Redis.
    queue(app, queues.IMPORTS).empty()

    with app.app_context():
        assert resume_imports(app) == [f"import-{import_id}-10"]
        assert resume_imports(app) == []  # queued once, however many relays look
    run_worker()

    job = stored_import(app, import_id)
    assert (job.status, job.rows_done, job.rows_total) == ("done", 25, 25)
    assert (job.accepted, job.duplicates, job.rejected) == (25, 0, 0)  # every row once, none lost


def test_a_chunk_job_that_died_marks_its_import_failed_keeping_what_it_stored(
    app, client, make_site, login, run_worker
):
    from workers.relay import resume_imports

    make_site("JL-WIM-01")
    app.config["IMPORT_CHUNK_ROWS"] = 10
    import_id = upload(client, login("admin"), csv_text(25))
    run_worker([queues.FOLLOWUP])
    run_jobs(app, [queues.IMPORTS], 1)
    # The work horse was killed (out of memory …) and its retries are used up.
    [chunk] = queue(app, queues.IMPORTS).get_jobs()
    queue(app, queues.IMPORTS).remove(chunk)
    chunk.set_status(JobStatus.FAILED)

    with app.app_context():
        assert resume_imports(app) == []
    job = stored_import(app, import_id)
    assert (job.status, job.rows_done, job.accepted) == ("failed", 10, 10)
    assert "导入中断" in job.message and "已导入的行保留" in job.message


def test_an_import_that_breaks_down_part_way_keeps_its_chunks_and_says_so(app, client, login, run_worker):
    admin = login("admin")
    app.config["IMPORT_CHUNK_ROWS"] = 10
    plates = "".join(f"吉A7{i:04d}\n" for i in range(25))
    import_id = upload(client, admin, "plate\n" + plates, path="/api/v1/registry/imports", kind="vehicles")
    run_worker([queues.FOLLOWUP])
    run_jobs(app, [queues.IMPORTS], 1)
    with app.app_context():
        db.session.execute(text("ALTER TABLE vehicles RENAME TO vehicles_away"))
        db.session.commit()
    try:
        run_worker()  # the second chunk fails inside: a fault, not bad data, and not worth retrying
    finally:
        with app.app_context():
            db.session.execute(text("ALTER TABLE vehicles_away RENAME TO vehicles"))
            db.session.commit()

    job = stored_import(app, import_id)
    assert (job.status, job.rows_done, job.accepted) == ("failed", 10, 10)
    assert "内部错误" in job.message and "已导入的行保留" in job.message
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM vehicles")) == 10
    failed = Job.fetch(f"import-{import_id}-10", connection=get_redis(app), serializer=JSONSerializer)
    assert failed.get_status() == JobStatus.FAILED


@pytest.fixture
def quiet(app):
    """No drain request left over from an earlier test in this process."""
    drain_requests(app).flush()
    get_redis(app).flushdb()


def wait_for_drain_job(app, seconds: float = 5.0) -> int:
    deadline = time.monotonic() + seconds
    while not len(queue(app, queues.FOLLOWUP)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return len(queue(app, queues.FOLLOWUP))


def test_a_commit_with_an_outbox_row_asks_for_the_drain_by_itself(app, quiet):
    from service.outbox import enqueue_outbox

    with app.app_context():
        with db.session.begin_nested():
            enqueue_outbox("evidence.uploaded", {"evidence_ids": []})
        time.sleep(3 * app.config["DRAIN_REQUEST_INTERVAL_S"])
        assert len(queue(app, queues.FOLLOWUP)) == 0  # a released savepoint is no commit
        db.session.commit()

    assert wait_for_drain_job(app) == 1
    assert queue(app, queues.FOLLOWUP).get_jobs()[0].func_name == queues.DRAIN.func


@pytest.mark.parametrize("end", ["rollback", "close"])
def test_a_transaction_rolled_back_asks_for_nothing(app, quiet, end):
    from service.outbox import enqueue_outbox

    with app.app_context():
        enqueue_outbox("evidence.uploaded", {"evidence_ids": []})
        db.session.rollback() if end == "rollback" else db.session.close()
        db.session.execute(text("SELECT 1"))
        db.session.commit()  # a later commit of the same session without outbox rows

    assert wait_for_drain_job(app, seconds=3 * app.config["DRAIN_REQUEST_INTERVAL_S"]) == 0


def test_only_a_transient_fault_is_worth_another_try():
    import sqlite3

    import psycopg
    import redis
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from workers.queues import is_transient

    def sqlite_error(message: str) -> OperationalError:
        return OperationalError("INSERT …", {}, sqlite3.OperationalError(message))

    assert is_transient(sqlite_error("database is locked"))
    assert is_transient(OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")))
    assert is_transient(redis.ConnectionError("Connection refused"))
    assert not is_transient(sqlite_error("no such table: vehicles"))
    assert not is_transient(ProgrammingError("SELECT …", {}, psycopg.errors.UndefinedTable("vehicles")))
    assert not is_transient(ValueError("not a date"))
