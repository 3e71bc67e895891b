"""/api/v1/docs works on a machine with no internet: every asset the page loads is served by the
service itself (Swagger UI from the pinned swagger-ui-bundle package), none from a CDN."""

from __future__ import annotations

import re


def test_the_docs_page_loads_only_local_assets(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(r.startswith("/api/v1/docs/assets/") for r in refs), refs
    for ref in refs:
        asset = client.get(ref)
        assert asset.status_code == 200 and len(asset.data) > 1000, ref
    assert b"SwaggerUIBundle" in client.get("/api/v1/docs/assets/swagger-ui-bundle.js").data
    assert "/api/v1/openapi.json" in html


def test_nothing_else_of_the_package_is_served(client):
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404
    assert client.get("/api/v1/docs/assets/..%2f__init__.py").status_code == 404
