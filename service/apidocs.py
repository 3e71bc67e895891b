"""The API documentation page's assets (Swagger UI 4.15.5, Apache-2.0, from the pinned
`swagger-ui-bundle` package) served by the service itself, so `/api/v1/docs` works on a machine
with no internet (CONTRACT §3: `/api/v1/docs` shows the OpenAPI description to people)."""

from __future__ import annotations

from flask import Blueprint, abort, send_from_directory

ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png")
URL = "/api/v1/docs/assets/"

bp = Blueprint("apidocs", __name__)


@bp.get(URL + "<name>")
def asset(name: str):
    """One of the few files the docs page loads (an allow-list: nothing else of the package)."""
    import swagger_ui_bundle

    if name not in ASSETS:
        abort(404)
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, name, max_age=86400)
