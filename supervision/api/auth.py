"""Bearer-token authentication for the API: never the browser session, so no CSRF exposure."""

from __future__ import annotations

import hashlib

from flask import abort, g, request

from supervision.api.errors import json_error
from supervision.auth.tokens import TokenScope, authenticate_token


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def authenticate_request(scope: TokenScope) -> None:
    """Sign in the token's owner for this request only, or answer 401 (no token) / 403 (scope)."""
    secret = bearer_secret()
    token = authenticate_token(secret) if secret else None
    if token is None:
        response = json_error(401, "Send a valid personal access token: Authorization: Bearer <token>")
        response.headers["WWW-Authenticate"] = 'Bearer realm="supervision"'
        abort(response)
    if scope not in token.scope_set:
        abort(json_error(403, f"This token does not have the {scope} scope"))
    g.api_token = token
    g._login_user = token.staff  # Flask-Login's current_user for this request; no cookie is set


def rate_limit_key() -> str:
    """API requests are counted per token (its hash), or per address without one."""
    secret = bearer_secret()
    if secret:
        return "token:" + hashlib.sha256(secret.encode()).hexdigest()
    return "address:" + (request.remote_addr or "")
