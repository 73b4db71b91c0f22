from playwright.sync_api import expect

from supervision.org.models import Role
from tests.browser.conftest import assert_accessible, follow, sign_in, sign_in_with_the_form
from tests.factories import make_staff


def test_sign_in_page_is_accessible_and_shows_errors_in_the_summary(page):
    page.goto("/sign-in")
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your email address")
    expect(page).to_have_title("Error: Sign in – Supervision")
    assert_accessible(page)


def test_a_person_signs_in_and_out(page):
    make_staff(Role.SOCIAL_WORKER, email="worker@example.test", given_name="Sam", family_name="Okafor")
    sign_in_with_the_form(page, "worker@example.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Okafor")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Supervision")


def test_sign_out_everywhere_from_the_account_page_ends_the_other_browsers_session(page, browser, base_url):
    make_staff(Role.SOCIAL_WORKER, email="worker@example.test", given_name="Sam", family_name="Okafor")
    sign_in(page, "worker@example.test")
    other = browser.new_context(base_url=base_url)
    other_page = other.new_page()
    try:
        sign_in_with_the_form(other_page, "worker@example.test")
        follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your account"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
        expect(page.locator("#open-sessions")).to_have_text("2 browsers")
        assert_accessible(page)
        follow(page.get_by_role("button", name="Sign out everywhere"))  # a real form with its CSRF token
        expect(page.get_by_text("You have signed out on every device and browser")).to_be_visible()
        other_page.goto("/my-data")
        expect(other_page.get_by_role("heading", level=1)).to_have_text("Sign in to Supervision")
    finally:
        other.close()


def test_the_change_password_page_is_accessible_with_its_errors(page):
    make_staff(Role.SOCIAL_WORKER, email="worker@example.test")
    sign_in(page, "worker@example.test")
    follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your account"))
    follow(page.get_by_role("link", name="Change your password"))
    assert_accessible(page)
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("a brand new passphrase")
    page.get_by_label("Confirm new password").fill("a brand new passphrase")
    follow(page.get_by_role("button", name="Change password"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Your current password is incorrect")
    assert_accessible(page)
