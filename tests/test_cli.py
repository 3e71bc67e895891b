"""Operator commands (CONTRACT §2)."""

from __future__ import annotations

from sqlalchemy import select, update

from models import AuditEvent, Site, User
from service.extensions import db


def test_users_create_stores_a_hashed_password_and_can_log_in(app, client):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "zhang.wei", "--role", "officer", "--password", "s3cret-pass"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "zhang.wei"))
        assert user.role == "officer" and "s3cret-pass" not in user.password_hash
    res = client.post("/api/v1/auth/token", json={"username": "zhang.wei", "password": "s3cret-pass"})
    assert res.status_code == 200 and res.get_json()["role"] == "officer"


def test_users_create_refuses_an_unknown_role(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "x", "--role", "boss", "--password", "whatever-1"])
    assert result.exit_code != 0


def test_sites_create_prints_the_device_token_alone_on_the_last_line(app, client):
    result = app.test_cli_runner().invoke(
        args=[
            "sites",
            "create",
            "JL-WIM-07",
            "--name",
            "G1 长春北",
            "--kind",
            "wim",
            "--region",
            "220100",
            "--calibrated-until",
            "2027-06-30",
        ]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("dev_") and " " not in token
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "JL-WIM-07"))
        assert site.region_code == "220100" and str(site.calibrated_until) == "2027-06-30"
    res = client.post(
        "/api/v1/readings",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "readings": [
                {
                    "site_code": "JL-WIM-07",
                    "record_id": "1",
                    "captured_at": "2026-11-01T08:00:00+08:00",
                    "axle_count": 2,
                    "gross_weight_kg": 9000,
                }
            ]
        },
    )
    assert res.get_json()["accepted"] == 1


def test_sites_create_refuses_a_duplicate_code(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["sites", "create", "S1", "--name", "a", "--kind", "static"])
    again = runner.invoke(args=["sites", "create", "S1", "--name", "b", "--kind", "static"])
    assert again.exit_code != 0 and "已存在" in again.output


def test_audit_verify_passes_on_an_intact_chain_and_names_a_tampered_event(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "a1", "--role", "admin", "--password", "password-1"])
    runner.invoke(args=["sites", "create", "S1", "--name", "a", "--kind", "static"])
    runner.invoke(args=["users", "create", "o1", "--role", "officer", "--password", "password-2"])
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "3" in ok.output
    with app.app_context():
        second_id = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[1]
        db.session.execute(update(AuditEvent).where(AuditEvent.id == second_id).values(reason="改过"))
        db.session.commit()
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code != 0
    assert f"#{second_id}" in bad.output


def test_outbox_drain_runs_pending_work_without_redis(app, client, make_site):
    _, device = make_site()
    client.post(
        "/api/v1/readings",
        headers=device,
        json={
            "readings": [
                {
                    "site_code": "JL-WIM-01",
                    "record_id": "1",
                    "captured_at": "2026-11-01T08:00:00+08:00",
                    "axle_count": 2,
                    "gross_weight_kg": 9000,
                }
            ]
        },
    )
    result = app.test_cli_runner().invoke(args=["outbox", "drain"])
    assert "已处理 1 条，剩余 0 条" in result.output
