"""c41d8e5b9a27: an import stored under an absolute path on this host is renamed relative to
EVIDENCE_DIR; one stored elsewhere keeps its path."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tests.migrations.test_increments_migration import app_at_before  # noqa: F401  (fixture)


def test_paths_under_the_evidence_dir_become_relative(app_at_before):  # noqa: F811
    from flask_migrate import upgrade

    from models import ImportJob
    from service.extensions import db

    app = app_at_before
    root = app.config["EVIDENCE_DIR"]
    with app.app_context():
        upgrade(revision="a7c3e91f2d40")
        for path in (root / "imports" / "ab12.csv", "/srv/other/cd34.csv"):
            db.session.add(
                ImportJob(
                    kind="readings", filename="r.csv", stored_path=str(path), sha256="0" * 64, size_bytes=1,
                    status="done", created_at=datetime.now(UTC),
                )
            )  # fmt: skip
        db.session.commit()
        upgrade()
        paths = db.session.scalars(select(ImportJob.stored_path).order_by(ImportJob.id)).all()
    assert paths == ["imports/ab12.csv", "/srv/other/cd34.csv"]
