"""Walks the URL map: every route declares who may use it, ids are typed, paths are kebab-case."""

import re

PUBLIC_ENDPOINTS = {
    "static",
    "assets.govuk_asset",
    "auth.sign_in",
    "auth.sign_out",
    # Single sign-on: the way to the organisation's identity provider and back (404 when off).
    "auth.sign_in_with_provider",
    "auth.sso_callback",
    # Accounts without single sign-on: asking for a reset link, and the link's secret is the key.
    "auth.forgot_password",
    "auth.set_password",
    "health.healthz",
    "health.status",
    "home.index",
    # The calendar feed is fetched by Outlook, which cannot sign in: its secret token is the key.
    "notifications.calendar_file",
}
KEBAB_SEGMENT = re.compile(r"^([a-z0-9]+(-[a-z0-9]+)*|<[^>]+>)(\.[a-z0-9]+)?$")


def test_every_route_has_a_permission_decorator(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "permission_rule"):
            missing.append(rule.rule)
    assert missing == []


def test_only_the_expected_routes_are_public(app):
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "permission_rule", "public") == "public"
    }
    assert public - PUBLIC_ENDPOINTS == set()


def test_id_parameters_are_typed(app):
    untyped = [
        rule.rule
        for rule in app.url_map.iter_rules()
        for name, converter in rule._converters.items()
        if name.endswith("_id") and type(converter).__name__ != "IdConverter"  # bounded: supervision.limits
    ]
    assert untyped == []


def test_paths_are_kebab_case(app):
    bad = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in {"static", "assets.govuk_asset"}:
            continue
        for segment in rule.rule.strip("/").split("/"):
            if segment and not KEBAB_SEGMENT.match(segment):
                bad.append(rule.rule)
    assert bad == []
