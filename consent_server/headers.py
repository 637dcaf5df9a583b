"""Security headers on every answer, applied by ``create_app`` (``init_app``).

- Every answer: ``X-Content-Type-Options: nosniff``, a ``Referrer-Policy``, and on https
  requests (as seen after ProxyFix) ``Strict-Transport-Security`` and ``Secure`` on every
  cookie set (session, remember-me, CSRF, consent).
- HTML pages (the admin UI, error pages): ``CONTENT_SECURITY_POLICY`` (no inline script or
  style), ``X-Frame-Options: DENY``. The demo marketing page stands in for a customer's
  site with inline tags, so it is left without a CSP.
- The API's CORS headers are the API blueprint's business (only a site's own origins).
"""
from flask import Flask, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

# Pages that play a customer's website (inline gated tags), not part of the server's UI.
NO_CSP_ENDPOINTS = frozenset({"public.demo"})


def init_app(app: Flask) -> None:
    """Call before the other extensions' init_app: after_request functions run in reverse
    order, so this one sees the cookies they set (Flask-Login's remember-me cookie)."""
    app.after_request(add_security_headers)
    app.session_interface = TlsSessionInterface()


class TlsSessionInterface(SecureCookieSessionInterface):
    """The session cookie is written after every after_request function: it gets Secure
    here, on https requests (or always with SESSION_COOKIE_SECURE)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if response.mimetype == "text/html" and request.endpoint not in NO_CSP_ENDPOINTS:
        headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
        headers.setdefault("X-Frame-Options", "DENY")
        headers["Referrer-Policy"] = "same-origin"
    if request.is_secure:
        if current_app.config["HSTS"]:
            headers.setdefault("Strict-Transport-Security", current_app.config["HSTS"])
        _secure_cookies(headers)
    return response


def _secure_cookies(headers) -> None:
    cookies = headers.getlist("Set-Cookie")
    if not cookies:
        return
    headers.remove("Set-Cookie")
    for cookie in cookies:
        attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
        headers.add("Set-Cookie", cookie if "secure" in attributes else cookie + "; Secure")
