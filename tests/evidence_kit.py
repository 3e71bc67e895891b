"""Evidence for the tests' cases: the plate close-up and overview a WIM device sends with its
record (domain-rules §6.2), generated, stored and processed by the service's own operations
(store_evidence → process_images, what the upload and the evidence worker run)."""

from __future__ import annotations


def give_evidence(app, case_id: int | None = None, *, reading_id: int | None = None) -> None:
    """Attach a ready, hashed plate close-up and overview to the case's reading."""
    from models import Case
    from service.evidence.samples import attach_samples
    from service.extensions import db

    with app.app_context():
        if reading_id is None:
            reading_id = db.session.get(Case, case_id).reading_id
        assert attach_samples([reading_id]) == 2
        db.session.commit()


def give_all_evidence(app) -> None:
    """Every case's reading gets its evidence set (fixtures that open many cases at once)."""
    from sqlalchemy import select

    from models import Case, EvidenceImage
    from service.evidence.samples import attach_samples
    from service.extensions import db

    with app.app_context():
        done = select(EvidenceImage.reading_id).where(EvidenceImage.status == "ready")
        ids = list(db.session.scalars(select(Case.reading_id).where(Case.reading_id.not_in(done))))
        if ids:
            attach_samples(ids)
            db.session.commit()
