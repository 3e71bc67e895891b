"""Uploaded import files are named relative to EVIDENCE_DIR, so every host finds them

`import_jobs.stored_path` held the absolute path on the host that took the upload; each host
mounting the shared volume elsewhere could not open it. Paths under this host's EVIDENCE_DIR
become relative to it; any other absolute path is left as it is (the code still opens an
absolute path as written).

Revision ID: c41d8e5b9a27
Revises: a7c3e91f2d40
Create Date: 2026-11-27 11:00:00.000000

"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "c41d8e5b9a27"
down_revision = "a7c3e91f2d40"
branch_labels = None
depends_on = None

jobs = sa.table("import_jobs", sa.column("id", sa.Integer), sa.column("stored_path", sa.String))


def upgrade():
    bind = op.get_bind()
    root = Path(current_app.config["EVIDENCE_DIR"])
    for job_id, stored in bind.execute(sa.select(jobs.c.id, jobs.c.stored_path)).all():
        path = Path(stored)
        if path.is_relative_to(root):  # as the upload stored it: EVIDENCE_DIR / imports / …
            bind.execute(sa.update(jobs).where(jobs.c.id == job_id).values(stored_path=str(path.relative_to(root))))


def downgrade():
    bind = op.get_bind()
    root = Path(current_app.config["EVIDENCE_DIR"])
    for job_id, stored in bind.execute(sa.select(jobs.c.id, jobs.c.stored_path)).all():
        if not Path(stored).is_absolute():
            bind.execute(sa.update(jobs).where(jobs.c.id == job_id).values(stored_path=str(root / stored)))
