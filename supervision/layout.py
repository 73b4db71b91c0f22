"""What every page's layout needs to know: the organisation's name and logo, for the header, the
footer and the title ("Page – Supervision – Organisation", docs/development.md).

The name comes from the ORGANISATION_NAME setting if it is set; otherwise from the signed-in
person's organisation; otherwise (signed out) from the database when it holds exactly one
organisation. A page drawn while the database is away (the 503 page) never asks it.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app, g, url_for
from flask_login import current_user
from markupsafe import Markup

from supervision.extensions import db
from supervision.org.models import Organisation

log = logging.getLogger(__name__)


def organisation_name() -> str | None:
    if "organisation_name" not in g:
        g.organisation_name = _organisation_name()
    return g.organisation_name


def _organisation_name() -> str | None:
    configured = (current_app.config.get("ORGANISATION_NAME") or "").strip()
    if configured:
        return configured
    if g.get("database_unavailable"):
        return None
    try:
        if current_user.is_authenticated:
            return current_user.organisation.name
        names = db.session.scalars(sa.select(Organisation.name).limit(2)).all()
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        log.warning("layout: organisation name not available (%s)", type(error).__name__)
        return None
    return names[0] if len(names) == 1 else None


def organisation_logo_url() -> str | None:
    """ORGANISATION_LOGO is a file under supervision/static/ (the content security policy lets
    pages show images from the service itself only)."""
    logo = (current_app.config.get("ORGANISATION_LOGO") or "").strip().lstrip("/")
    return url_for("static", filename=logo) if logo else None


def page_title(page: str, has_errors: bool = False) -> str:
    """ "Page – Supervision – Organisation", with "Error: " first when a form has errors."""
    page = page.striptags() if isinstance(page, Markup) else page.strip()
    if page.startswith("Error: "):  # a page that words its own error prefix
        page, has_errors = page.removeprefix("Error: "), True
    parts = [page, current_app.config["SERVICE_NAME"], organisation_name()]
    title = " – ".join(part for part in parts if part)
    return f"Error: {title}" if has_errors else title


def layout_context() -> dict:
    return {
        "organisation_name": organisation_name,
        "organisation_logo_url": organisation_logo_url,
        "page_title": page_title,
    }
