"""The console's signed cookie session, opened only when a request carries one."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """Flask's cookie session, minus building a signing serializer for requests that
    carry no session cookie: API calls (devices, bearer tokens) never do, and every
    device post paid for a serializer it did not use."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
