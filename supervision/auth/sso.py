"""Single sign-on with OpenID Connect (Authlib): the client, and the email a sign-in rests on.

SSO is on when OIDC_ISSUER is set. The client is built on first use for each set of settings, so
the provider's discovery document is fetched when someone first signs in with it, and a provider
that is down never stops the service starting.
"""

from __future__ import annotations

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app
from joserfc.errors import JoseError

log = logging.getLogger(__name__)

CLIENT_NAME = "oidc"
PROVIDER_TIMEOUT_SECONDS = 10
# What can go wrong talking to the provider: its refusals, a token that fails validation, a
# connection that fails, or an answer that is not JSON.
PROVIDER_ERRORS = (AuthlibBaseError, JoseError, requests.RequestException, ValueError)

UNAVAILABLE = "Signing in with your organisation account is not working at the moment. Try again later."
DID_NOT_WORK = "Signing in with your organisation account did not work. Go to the sign-in page and try again."
NO_EMAIL = "Your organisation account has no email address, so Supervision cannot tell who you are."
UNVERIFIED_EMAIL = (
    "Your organisation account’s email address has not been verified, so Supervision cannot tell who you are."
)


class SsoError(Exception):
    """Signing in with the provider did not work; the message is safe to show the person."""


def sso_enabled() -> bool:
    return bool(current_app.config.get("OIDC_ISSUER"))


def display_name() -> str | None:
    """The sign-in button's words, or None when single sign-on is off."""
    return current_app.config["OIDC_DISPLAY_NAME"] if sso_enabled() else None


def sso_client() -> FlaskOAuth2App:
    config = current_app.config
    settings = (config["OIDC_ISSUER"].rstrip("/"), config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"])
    cached = current_app.extensions.get("sso_client")
    if cached is None or cached[0] != settings:
        issuer, client_id, client_secret = settings
        client = FlaskOAuth2App(
            FlaskIntegration(CLIENT_NAME),
            CLIENT_NAME,
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": "openid email",
                "code_challenge_method": "S256",
                "default_timeout": PROVIDER_TIMEOUT_SECONDS,
            },
        )
        cached = current_app.extensions["sso_client"] = (settings, client)
    return cached[1]


def provider_redirect(redirect_uri: str):
    """A redirect to the provider, with state, nonce and a PKCE challenge kept in the session."""
    client = sso_client()
    try:
        metadata = client.load_server_metadata()
        # OpenID Connect Discovery 4.3: the document must name the issuer it was fetched from.
        if metadata.get("issuer", "").rstrip("/") != current_app.config["OIDC_ISSUER"].rstrip("/"):
            log.warning("single sign-on: the provider's discovery document names another issuer")
            raise SsoError(UNAVAILABLE)
        return client.authorize_redirect(redirect_uri)
    except PROVIDER_ERRORS as error:
        log.warning("single sign-on: provider unavailable", extra={"reason": type(error).__name__})
        raise SsoError(UNAVAILABLE) from error


def verified_email() -> str:
    """Finish the provider's redirect back and return the email it has verified.

    Authlib refuses a state this browser's session did not start, redeems the code with the PKCE
    verifier, and checks the ID token's signature, issuer, audience, expiry and nonce.
    """
    client = sso_client()
    try:
        token = client.authorize_access_token()
        claims = token.get("userinfo")  # the ID token's claims, validated
        if claims is None:
            raise SsoError(DID_NOT_WORK)
        if "email" not in claims:
            # Many providers send the email only from the UserInfo endpoint (OpenID Connect Core 5.4),
            # whose answer must be about the ID token's subject (5.3.2).
            userinfo = client.userinfo(token=token)
            if userinfo.get("sub") != claims["sub"]:
                raise SsoError(DID_NOT_WORK)
            claims = userinfo
    except PROVIDER_ERRORS as error:
        log.info("single sign-on failed", extra={"reason": type(error).__name__})
        raise SsoError(DID_NOT_WORK) from error

    email = claims.get("email")
    verified = claims.get("email_verified") in (True, "true")
    if not isinstance(email, str) or "@" not in email:
        raise SsoError(NO_EMAIL)
    if current_app.config["OIDC_REQUIRE_VERIFIED_EMAIL"] and not verified:
        raise SsoError(UNVERIFIED_EMAIL)
    return email
