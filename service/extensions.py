"""Unbound extensions; `create_app` binds them with init_app."""

from __future__ import annotations

from flask import current_app
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy

from models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
api = Api()


def redis_conn():
    """The Redis connection of this app (created once per process, lazily)."""
    from service.queueing import get_redis

    return get_redis(current_app)
