"""Single sign-on in Chromium, against a real OpenID provider (tests/auth/conftest.py).

The service is served as `localhost` and the provider as `127.0.0.1`: two sites, as in production,
so the service's session cookie has to come back with the provider's cross-site redirect.
"""

import pytest
from playwright.sync_api import expect

from supervision.org.models import Role
from tests.auth.conftest import running_provider, sso_settings
from tests.browser.conftest import assert_accessible, serving
from tests.factories import make_staff


@pytest.fixture(scope="module")
def sso_site(app, database_url, tmp_path_factory):
    with serving(app, database_url, host="localhost") as (served, url):
        log_dir = tmp_path_factory.mktemp("oidc-provider-browser")
        with running_provider(f"{url}/sign-in/sso/callback", log_dir) as issuer:
            served.config.update(BASE_URL=url, **sso_settings(issuer))
            yield url


def sign_in_at_provider(page, login: str) -> None:
    """The provider's own sign-in and consent pages, as a person fills them in."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("the provider's own business")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_a_person_signs_in_with_their_organisation_account(page, sso_site):
    make_staff(Role.SOCIAL_WORKER, email="worker@example.test", given_name="Sam", family_name="Okafor")
    page.goto(f"{sso_site}/sign-in")
    assert_accessible(page)

    page.get_by_role("button", name="Sign in with Demoshire account").click()
    sign_in_at_provider(page, "worker")

    expect(page).to_have_url(f"{sso_site}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Okafor")


def test_someone_without_an_active_account_is_told_so(page, sso_site):
    page.goto(f"{sso_site}/sign-in")
    page.get_by_role("button", name="Sign in with Demoshire account").click()
    sign_in_at_provider(page, "stranger")

    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot use Supervision with this account")
    expect(page.get_by_text("stranger@example.test")).to_be_visible()
    assert_accessible(page)
