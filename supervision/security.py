"""Security headers on every response, a CSP without inline script, and sign-out after inactivity.

The one inline script GOV.UK's page template needs (it marks the body `js-enabled`) carries a
per-request nonce, so the policy can forbid every other inline script.
"""

import secrets
from datetime import datetime

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user

from supervision.clock import clock

IDLE_KEY = "last_active_at"


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if "_user_id" in session:
        # Pages behind sign-in hold personal data: never keep them in shared caches or history.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def sign_out_after_inactivity():
    """Sign out a session that has been idle longer than SESSION_IDLE_TIMEOUT."""
    if request.endpoint in {"static", "assets.govuk_asset", "health.healthz"}:
        return None
    now = clock().now()
    if current_user.is_authenticated:
        last = session.get(IDLE_KEY)
        idle_limit = current_app.config["SESSION_IDLE_TIMEOUT"]
        if last is not None and now - datetime.fromisoformat(last) > idle_limit:
            logout_user()
            session.clear()
            flash("You were signed out because you had not used the service for a while.", "info")
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        session[IDLE_KEY] = now.isoformat()
    return None


def register(app: Flask) -> None:
    app.before_request(sign_out_after_inactivity)
    app.after_request(add_security_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
