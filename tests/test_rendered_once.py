"""GOV.UK components drawn once a process for each set of arguments (supervision/rendered_once.py;
docs/performance.md, "Page floor"): the memo gives the markup the macro gives, never one
person's markup to another, nothing a person typed, and stays bounded."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup

from supervision import rendered_once
from supervision.org.models import Role
from tests.factories import PASSWORD, make_organisation, make_staff
from tests.html import parse_html


@pytest.fixture
def memo():
    rendered_once._memo.clear()
    yield rendered_once._memo
    rendered_once._memo.clear()


def macro(app, name: str, function: str):
    template = app.jinja_env.get_template(f"govuk_frontend_jinja/components/{name}/macro.html")
    return getattr(template.module, function)


def test_a_component_is_the_macro_s_markup_and_drawn_once_for_the_same_arguments(app, memo, monkeypatch):
    params = {"tag": {"text": "Beta"}, "text": "A new service & more"}
    with app.test_request_context():
        expected = macro(app, "phase-banner", "govukPhaseBanner")(params)
        assert rendered_once.component("phase-banner", params, "govukPhaseBanner") == expected
        drawn = []
        original = rendered_once.memoised
        monkeypatch.setattr(
            rendered_once, "memoised", lambda key, draw: original(key, lambda: drawn.append(key) or draw())
        )
        rendered_once.component("phase-banner", dict(params), "govukPhaseBanner")
        assert drawn == []  # the same arguments: from the memo
        rendered_once.component("phase-banner", {**params, "text": "Other"}, "govukPhaseBanner")
        assert len(drawn) == 1


def test_markup_and_text_of_the_same_characters_are_different_arguments(app, memo):
    with app.test_request_context():
        as_text = rendered_once.component("phase-banner", {"text": "<b>x</b>"}, "govukPhaseBanner")
        as_markup = rendered_once.component("phase-banner", {"text": Markup("<b>x</b>")}, "govukPhaseBanner")
    assert "&lt;b&gt;x&lt;/b&gt;" in as_text and "<b>x</b>" not in as_text
    assert "<b>x</b>" in as_markup
    assert rendered_once.frozen(True) != rendered_once.frozen(1)


def test_arguments_it_cannot_key_are_drawn_every_time(app, memo):
    class Lazy(str):
        pass

    with pytest.raises(rendered_once.Unfreezable):
        rendered_once.frozen({"text": Lazy("x")})
    with app.test_request_context():
        drawn = rendered_once.component("phase-banner", {"text": Lazy("lazy words")}, "govukPhaseBanner")
    assert "lazy words" in drawn
    assert memo == {}


def test_the_memo_is_bounded(app, memo, monkeypatch):
    monkeypatch.setattr(rendered_once, "ENTRIES", 3)
    with app.test_request_context():
        for number in range(10):
            rendered_once.component("phase-banner", {"text": f"text {number}"}, "govukPhaseBanner")
            assert len(memo) <= 3


def sign_out_token(html: str) -> str:
    form = parse_html(html).select_one("form.app-sign-out")
    return form.select_one("input[name=csrf_token]")["value"]


def test_each_person_s_navigation_carries_their_own_sign_out_token(app, memo, monkeypatch):
    """The navigation is one memo entry for everyone with the same items; the sign-out form,
    with the person's CSRF token, is put in afterwards."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    make_organisation()
    first = make_staff(Role.SOCIAL_WORKER, email="first@example.org")
    second = make_staff(Role.SOCIAL_WORKER, email="second@example.org")
    tokens = []
    for person in (first, second):
        client = app.test_client()
        page = client.get("/sign-in").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = {"email": person.email, "password": PASSWORD, "csrf_token": token}
        assert client.post("/sign-in", data=data).status_code == 302
        html = client.get("/").text
        tokens.append(sign_out_token(html))
        assert html.count('class="app-sign-out"') == 1
        assert "rendered-once" not in html
    assert tokens[0] != tokens[1]
    marker = str(rendered_once._NAVIGATION_END)
    signed_in = [key for key in memo if key[1] == "service-navigation" and marker in repr(key)]
    assert len(signed_in) == 1  # the same items: one entry, two tokens


def test_a_signed_out_page_has_no_sign_out_form(app, client, memo):
    make_organisation()
    html = client.get("/sign-in").text
    assert "app-sign-out" not in html
    assert "rendered-once" not in html


def test_what_a_person_typed_is_neither_kept_nor_shown_to_the_next(app, memo):
    make_organisation()
    client = app.test_client()
    refused = client.post("/sign-in", data={"email": "typed@example.org", "password": ""}).text
    assert 'value="typed@example.org"' in refused
    assert "Enter your password" in refused
    assert "typed@example.org" not in repr(memo)
    assert "Enter your password" not in repr(memo)
    fresh = app.test_client().get("/sign-in").text
    assert "typed@example.org" not in fresh
    assert "govuk-error-message" not in fresh
    field_keys = [key for key in memo if key[0] == "field"]
    assert len(field_keys) == 2  # the empty email and password fields
