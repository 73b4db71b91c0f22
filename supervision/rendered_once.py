"""GOV.UK components drawn once a process for each set of arguments (docs/performance.md, "Page
floor"): the phase banner, the skip link, the header, the service navigation and empty form
fields are the same markup page after page, and drawing them through the GOV.UK macros was most
of a sign-in page's CPU.

A component's markup depends on its arguments alone (the GOV.UK macros read nothing else), so
the memo is keyed by the arguments themselves, with their types (a `Markup` is not escaped, a
`str` is): the same arguments give the same markup whoever asks, and different arguments never
share an entry. Arguments of any other type (a Jinja `Undefined`, a lazy string) are drawn
every time. The memo holds at most ENTRIES entries; when full it starts again.
Nothing a person typed is kept: form fields are memoised only while empty and without an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from markupsafe import Markup

# A page's components number a handful, and their arguments vary by role set, section and unread
# count: far fewer than this. A bound all the same, so no set of arguments can grow it for ever.
ENTRIES = 1_000

_memo: dict[tuple, Markup] = {}


class Unfreezable(Exception):
    """An argument the memo cannot key safely: the component is drawn as usual."""


def frozen(value: Any) -> tuple:
    """A hashable key that tells apart everything the markup could depend on, types included."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return (kind.__name__, value)
    if kind is Markup:
        return ("Markup", str(value))
    if kind is dict:
        return ("dict", tuple((key, frozen(item)) for key, item in value.items()))
    if kind in (list, tuple):
        return ("list", tuple(frozen(item) for item in value))
    raise Unfreezable(kind.__name__)


def memoised(key: tuple, draw: Callable[[], Markup]) -> Markup:
    found = _memo.get(key)
    if found is None:
        found = draw()
        if len(_memo) >= ENTRIES:
            _memo.clear()
        _memo[key] = found
    return found


def component(name: str, params: dict, macro: str) -> Markup:
    """`macro` from govuk_frontend_jinja/components/`name`/macro.html, called with `params`."""

    def draw() -> Markup:
        template = current_app.jinja_env.get_template(f"govuk_frontend_jinja/components/{name}/macro.html")
        return getattr(template.module, macro)(params)

    try:
        key = ("component", name, macro, frozen(params))
    except Unfreezable:
        return draw()
    return memoised(key, draw)


# Stands in for the sign-out form (it holds the person's CSRF token) while the navigation is
# drawn; the form is put in its place afterwards, so one entry serves everyone with the same items.
_NAVIGATION_END = Markup("<!--rendered-once:navigation-end-->")


def service_navigation(params: dict, navigation_end: Markup | str) -> Markup:
    """govukServiceNavigation with `navigation_end` in its navigationEnd slot."""
    slots = {"navigationEnd": _NAVIGATION_END if navigation_end else navigation_end}
    drawn = component("service-navigation", {**params, "slots": slots}, "govukServiceNavigation")
    if not navigation_end:
        return drawn
    # Markup.replace escapes `navigation_end` unless it is Markup (a `{% set %}` block is).
    return drawn.replace(_NAVIGATION_END, navigation_end, 1)


def form_field(template: str, params: dict, draw: Callable[[], Markup]) -> Markup:
    """A govuk-frontend-wtf field, memoised only while it holds no value and no error."""
    if params.get("value") or params.get("errorMessage"):
        return draw()
    try:
        key = ("field", template, frozen(params))
    except Unfreezable:
        return draw()
    return memoised(key, draw)


class TextInput(GovTextInput):
    """govuk-frontend-wtf's text input, memoised while empty and without an error."""

    def render(self, params):
        return form_field(self.template, params, lambda: super(TextInput, self).render(params))


class PasswordInput(GovPasswordInput):
    """govuk-frontend-wtf's password input, memoised while empty and without an error."""

    def render(self, params):
        return form_field(self.template, params, lambda: super(PasswordInput, self).render(params))
