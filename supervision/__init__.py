"""Supervision: staff supervision for children's social care services."""

import logging
import os

from flask import Flask
from flask.templating import Environment
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.routing import IntegerConverter

from config import BASE_DIR, CONFIGS, ProductionConfig
from supervision import limits
from supervision.clock import SystemClock
from supervision.extensions import csrf, db, limiter, login_manager, migrate


def create_app(config_name_or_object: str | type | None = None) -> Flask:
    config = resolve_config(config_name_or_object)
    if config is ProductionConfig:
        ProductionConfig.check()

    app = Flask(__name__, instance_path=str(BASE_DIR / "instance"), template_folder=None)
    app.jinja_environment = PageEnvironment
    app.config.from_object(config)
    app.extensions["clock"] = SystemClock()

    register_extensions(app)
    register_templates(app)
    register_url_converters(app)
    register_blueprints(app)
    register_subscribers(app)
    register_api(app)
    register_error_handlers(app)
    register_security(app)
    register_commands(app)
    configure_logging(app)
    return app


def resolve_config(config_name_or_object: str | type | None) -> type:
    if config_name_or_object is None:
        config_name_or_object = os.environ.get("FLASK_CONFIG", "development")
    if isinstance(config_name_or_object, str):
        try:
            return CONFIGS[config_name_or_object]
        except KeyError:
            raise RuntimeError(
                f"Unknown FLASK_CONFIG {config_name_or_object!r}: use one of {', '.join(CONFIGS)}"
            ) from None
    return config_name_or_object


def register_extensions(app: Flask) -> None:
    """Bind the module-level extensions; models are imported so Alembic sees every table."""
    from supervision import models  # noqa: F401

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # PostgreSQL's JIT compiles a plan whose estimate is large, even when few rows come back:
        # 1.2 s of a 1.5 s case list at national scale (docs/performance.md, "JIT"). Pages ask
        # short, indexed questions, so it is off for the service's connections.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args["options"] = (connect_args.get("options", "") + " -c jit=off").strip()
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    from supervision.auth.services import load_user

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    # Signed-in sessions live in the database, visitors' in a signed cookie (supervision.auth.sessions).
    from supervision.auth.sessions import HybridSessionInterface

    app.session_interface = HybridSessionInterface()


def register_subscribers(app: Flask) -> None:
    """Lower floors announce events and the floors above subscribe (docs/development.md): every
    subscription is made here, so no app can run without one. Connecting again is a no-op."""
    from supervision.auth.services import end_access_of_changed_people, invite_new_people
    from supervision.cases import linking as case_linking
    from supervision.notifications import record_events
    from supervision.notifications.access_changes import tell_people_concerned
    from supervision.org.changes import access_changed, people_added

    # Sessions end before anyone is told, as they did when org called both itself.
    access_changed.connect(end_access_of_changed_people)
    access_changed.connect(tell_people_concerned)
    people_added.connect(invite_new_people)
    record_events.connect()
    # Records offer the supervisee's open cases and flag unknown references (records/case_register.py).
    case_linking.install(app)


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits only, and no larger than an id can be
    (supervision.limits.MAX_ID), so /records/2147483648 and /records/١٢ are 404, not a 500 or
    record 12."""

    regex = limits.pattern_up_to(limits.MAX_ID)

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", limits.MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_url_converters(app: Flask) -> None:
    """Before the blueprints, so their routes are built with the bounded converter."""
    app.url_map.converters["int"] = IdConverter


class PageEnvironment(Environment):
    """Flask's template environment, with every template reading the environment's globals
    directly instead of through a ChainMap of its own (docs/performance.md, "Page floor").

    Each `{% from ... import %}` (a GOV.UK page makes about 30) compares the importing
    context's globals with the imported template's: through a ChainMap that is one Python-level
    look-up per global per import, about 0.5 ms of a sign-in page's 5.5 ms. Templates are loaded
    with no globals of their own here, and nothing writes to a template's globals, so sharing
    the environment's dict changes no answer: every global is still the environment's.
    """

    def make_globals(self, d):
        if not d:
            return self.globals
        return super().make_globals(d)


def register_templates(app: Flask) -> None:
    """App templates first, then the GOV.UK Frontend macros under their package prefixes."""
    from govuk_frontend_wtf.main import WTFormsHelpers

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(BASE_DIR / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    from supervision.forms import error_summary

    app.jinja_env.globals["wtforms_errors"] = error_summary  # links go to a date's day box
    from supervision import rendered_once

    # The GOV.UK components every page draws the same, drawn once (docs/performance.md, "Page floor").
    app.jinja_env.globals["rendered_once"] = rendered_once
    from supervision.stored_figures.freshness import as_at_text

    # Every page showing stored figures says when they were worked out, in the same words.
    app.jinja_env.filters["figures_as_at"] = as_at_text

    from supervision.navigation import navigation_items

    app.context_processor(lambda: {"navigation_items": navigation_items})

    from supervision.layout import layout_context

    app.context_processor(layout_context)


def register_blueprints(app: Flask) -> None:
    """One blueprint per area of the service; imported here so the app builds in any order."""
    from supervision.assets import bp as assets_bp
    from supervision.auth.views import bp as auth_bp
    from supervision.health import bp as health_bp
    from supervision.home import bp as home_bp
    from supervision.org.views import bp as org_bp

    for blueprint in (assets_bp, auth_bp, health_bp, home_bp, org_bp):
        app.register_blueprint(blueprint)

    # Agreements, sessions, records and their audit log (issue 4).
    from supervision.agreements.views import bp as agreements_bp
    from supervision.org.audit_log_views import bp as audit_bp
    from supervision.records.session_views import bp as sessions_bp
    from supervision.records.views import bp as records_bp

    for blueprint in (agreements_bp, audit_bp, sessions_bp, records_bp):
        app.register_blueprint(blueprint)

    # Compliance pages, notifications, failed emails, scheduled jobs and the calendar feed (issue 5);
    # the notifications blueprint also brings the header's unread count (a context processor).
    from supervision.compliance.views import bp as compliance_bp
    from supervision.jobs.views import bp as jobs_bp
    from supervision.notifications.views import bp as notifications_bp

    for blueprint in (compliance_bp, jobs_bp, notifications_bp):
        app.register_blueprint(blueprint)

    # The administrators' case pages: caseload import and oversight limits (docs/cases.md).
    from supervision.cases.admin_views import bp as case_admin_bp

    app.register_blueprint(case_admin_bp)

    # HR retention figures, leavers and the staff import (issue 7).
    from supervision.hr.views import bp as hr_bp

    app.register_blueprint(hr_bp)

    # Team dashboard, oversight report, evidence pack and quality audits (issue 6).
    from supervision.reports.audit_views import bp as quality_audits_bp
    from supervision.reports.views import bp as reports_bp

    for blueprint in (reports_bp, quality_audits_bp):
        app.register_blueprint(blueprint)

    # Case oversight (issue 19): the cases needing oversight, a case's history and its case notes.
    from supervision.cases.history_views import bp as case_history_bp
    from supervision.cases.list_views import bp as case_oversight_bp
    from supervision.reports.case_notes import bp as case_notes_bp

    for blueprint in (case_oversight_bp, case_history_bp, case_notes_bp):
        app.register_blueprint(blueprint)


def register_security(app: Flask) -> None:
    """Security headers, CSP nonce and the idle sign-out, on every request."""
    from supervision.security import register

    register(app)


def register_api(app: Flask) -> None:
    """The JSON API (bearer tokens, exempt from CSRF) and the page where people manage their tokens."""
    from supervision.api.token_views import bp as api_tokens_bp
    from supervision.api.views import bp as api_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(api_tokens_bp)

    # A person's own data to download (data protection, issue 8).
    from supervision.privacy.views import bp as privacy_bp

    app.register_blueprint(privacy_bp)


def register_error_handlers(app: Flask) -> None:
    from supervision.errors import register

    register(app)
    # Too many requests (Flask-Limiter): JSON under /api/, the error page elsewhere.
    from supervision.api.errors import register as register_api_errors

    register_api_errors(app)


def register_commands(app: Flask) -> None:
    from supervision.cli import register

    register(app)


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
