"""Security headers on every answer, and Secure cookies when the service is reached over HTTPS.

The console runs only its own script files (console.js, alerts.js, dashboard.js, print.js and the
vendored ECharts): its Content-Security-Policy allows scripts from this origin alone, no inline
script and no eval; styles may be inline (the printed documents carry their own). No page may be
framed (clickjacking): frame-ancestors 'none' and X-Frame-Options: DENY. Referrer-Policy keeps
the console's addresses (case numbers, plates in queries) from other sites.
"""

from __future__ import annotations

from flask import Flask, Response, request

CONSOLE_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
OTHER_CSP = "frame-ancestors 'none'"  # the API's JSON, files and the API docs page


def register(app: Flask) -> None:
    if str(app.config.get("PUBLIC_BASE_URL", "")).lower().startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
    api_prefix = app.config.get("OPENAPI_URL_PREFIX") or "/api"
    https = bool(app.config["SESSION_COOKIE_SECURE"])

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        console_page = response.mimetype == "text/html" and not request.path.startswith(api_prefix)
        headers.setdefault("Content-Security-Policy", CONSOLE_CSP if console_page else OTHER_CSP)
        if https:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
