"""Security headers on every response, a CSP without inline script, and word of a session that ended.

The one inline script GOV.UK's page template needs (it marks the body `js-enabled`) carries a
per-request nonce, so the policy can forbid every other inline script.
"""

import secrets

from flask import Flask, current_app, flash, g, redirect, request, session, url_for

from supervision.extensions import proxied

ENDED_MESSAGES = {
    "idle": "You were signed out because you had not used the service for a while.",
    "lifetime": "You were signed out because you signed in more than {hours} hours ago. Sign in again.",
}


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


def explain_ended_session():
    """Say why a session the server has just ended (idle too long, or past its lifetime) is over.

    The server decides (supervision.auth.sessions); this only tells the person and takes them to
    sign in again, back to where they were going.
    """
    if request.endpoint in {"static", "assets.govuk_asset", "health.healthz"}:
        return None
    current = proxied(session)
    failure = getattr(current, "failure", None)
    if failure is not None:
        raise failure  # the database could not be read: the error handlers answer
    reason = getattr(current, "ended", None)
    if reason is None:
        return None
    hours = int(current_app.permanent_session_lifetime.total_seconds() // 3600)
    flash(ENDED_MESSAGES[reason].format(hours=hours), "info")
    if request.blueprint == "auth":
        return None
    return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))


def register(app: Flask) -> None:
    app.before_request(explain_ended_session)
    app.after_request(add_security_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
