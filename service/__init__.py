"""The Flask application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from service.config import ROOT, Config
from service.cookies import CookieSessions
from service.extensions import api, db, migrate


def create_app(config: Mapping | None = None) -> Flask:
    """Defaults → environment → the given mapping (tests). Nothing runs at import."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(Config.from_env().as_mapping())
    if config:
        app.config.from_mapping(config)
    app.config["INSTANCE_DIR"].mkdir(parents=True, exist_ok=True)
    _engine_options(app)
    app.session_interface = CookieSessions()
    app.json.ensure_ascii = False  # Chinese messages readable in raw JSON (JSON_AS_ASCII is gone in Flask 3)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    api.init_app(app, spec_kwargs=_spec_kwargs())
    _register(app)
    return app


def _spec_kwargs() -> dict:
    from service.spec import TruthfulSpec

    return {
        "extra_plugins": [TruthfulSpec()],
        "info": {"description": "治超案件管理服务：称重检测记录接入、超限认定、案件办理。"},
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
            }
        },
        "security": [{"bearerAuth": []}],
    }


def _engine_options(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    opts = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        opts.setdefault("connect_args", {"timeout": 30})
    else:
        opts.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """WAL lets the worker read while the web writes; NORMAL sync is durable in WAL."""
    if type(dbapi_conn).__module__.startswith("sqlite3"):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()


def _register(app: Flask) -> None:
    from service import audit, cli, errors, headers, health, inputs
    from service.admin.routes import blp as admin_blp
    from service.auth.routes import blp as auth_blp
    from service.console.routes import register_consoles
    from service.copynotices.routes import blp as copy_notices_blp
    from service.ingest.routes import blp as ingest_blp
    from service.referrals.routes import blp as referrals_blp
    from service.registry.routes import blp as registry_blp
    from service.review.matter_routes import blp as matters_blp
    from service.review.routes import blp as review_blp
    from service.sources.routes import blp as sources_blp
    from service.stats.routes import blp as stats_blp
    from service.supervision.routes import blp as supervision_blp
    from service.watch.routes import blp as watch_blp

    audit.init_app()
    inputs.init_app(app)  # before the blueprints: their <int:…> ids take its bounded converter
    errors.register(app)
    headers.register(app)
    health.register(app)
    blueprints = (auth_blp, ingest_blp, review_blp, matters_blp, copy_notices_blp, watch_blp, registry_blp, stats_blp)
    for blp in (*blueprints, supervision_blp, sources_blp, referrals_blp, admin_blp):
        api.register_blueprint(blp, url_prefix="/api/v1")
    register_consoles(app)
    from service.apidocs import bp as apidocs_bp

    app.register_blueprint(apidocs_bp)  # /api/v1/docs's own assets: no CDN
    cli.register(app)
