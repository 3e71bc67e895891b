"""An uploaded import is stored relative to EVIDENCE_DIR: a host that mounts the shared volume
elsewhere still finds it; a path stored absolute by an earlier version still works."""

from __future__ import annotations

import shutil

from sqlalchemy import func, select

from models import ImportJob, Reading
from service.extensions import db
from tests.workers.test_csv_import import csv_text, upload


def test_a_worker_with_the_volume_mounted_elsewhere_imports_the_upload(app, client, make_site, run_worker, tmp_path):
    _, device = make_site()
    job_id = upload(client, device, csv_text(rows=5)).get_json()["id"]
    with app.app_context():
        stored = db.session.get(ImportJob, job_id).stored_path
    assert stored.startswith("imports/") and stored.endswith(".csv")
    # The worker's host mounts the same volume at another path.
    elsewhere = tmp_path / "mnt" / "evidence"
    shutil.copytree(app.config["EVIDENCE_DIR"], elsewhere)
    original = app.config["EVIDENCE_DIR"]
    app.config["EVIDENCE_DIR"] = elsewhere
    try:
        run_worker()
    finally:
        app.config["EVIDENCE_DIR"] = original
    with app.app_context():
        assert db.session.get(ImportJob, job_id).status == "done"
        assert db.session.scalar(select(func.count()).select_from(Reading)) == 5


def test_an_absolute_path_stored_by_an_earlier_version_is_opened_as_it_is(app, client, make_site, run_worker):
    _, device = make_site()
    job_id = upload(client, device, csv_text(rows=3)).get_json()["id"]
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        job.stored_path = str(app.config["EVIDENCE_DIR"] / job.stored_path)
        db.session.commit()
    run_worker()
    with app.app_context():
        assert db.session.get(ImportJob, job_id).status == "done"
