"""The migration that brings referrals (8d4f2a6c1b93) makes one of every police matter already
sent, so the police find in their inbox what was referred before the upgrade."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import text

from models import Referral
from service.extensions import db
from tests.api.police.conftest import confirmed, referrals

MIGRATION = Path(__file__).parents[3] / "migrations/versions/20261127_8d4f2a6c1b93_police_referrals.py"


def _backfill_sql() -> str:
    spec = importlib.util.spec_from_file_location("police_referrals_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BACKFILL


def test_a_police_matter_sent_before_the_upgrade_becomes_a_referral(app, client, people, station, run_worker):
    case_id = confirmed(client, people, station, run_worker, "U-1", plate="吉E33333", gross_weight_kg=56_000)
    people["officer"].step(case_id, "referral", {"reason": "升级前人工移交：驾驶人拒检"})
    with app.app_context():
        db.session.execute(text("DELETE FROM referrals"))  # as it stood before the upgrade
        db.session.commit()
    assert referrals(client, people["police"]) == []
    with app.app_context():
        db.session.execute(text(_backfill_sql()))
        db.session.execute(text(_backfill_sql()))  # a second run adds nothing
        db.session.commit()
        (made,) = db.session.query(Referral).all()
        assert made.origin == "manual" and made.reasons == [] and made.matter.referred_at == made.queued_at
    (ref,) = referrals(client, people["police"])
    assert ref["status"] == "queued" and ref["reasons"][0]["text"] == "升级前人工移交：驾驶人拒检"
