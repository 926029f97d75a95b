"""Sign-in and home pages in Chromium, for each role, with an axe-core audit."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PERSONAS


def test_the_login_page_passes_axe_and_starts_with_a_skip_link(site, axe_audit):
    site.go("/accounts/login/")
    axe_audit(site)
    site.keyboard.press("Tab")
    expect(site.locator(":focus")).to_have_text("Skip to main content")


def test_a_wrong_password_moves_focus_to_the_error_summary(site, axe_audit, manager):
    site.go("/accounts/login/")
    site.get_by_label("Username").fill("marcus")
    site.get_by_label("Password").fill("not-the-password")
    site.get_by_label("Password").press("Enter")
    expect(site).to_have_title("Error: Sign in – Public Scorecard")
    summary = site.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a correct username and password")
    axe_audit(site)


def test_empty_fields_are_linked_from_the_summary_to_the_field(site, axe_audit):
    site.go("/accounts/login/")
    site.get_by_role("button", name="Sign in").click()
    site.get_by_role("link", name="Enter your username").click()
    expect(site.get_by_label("Username")).to_be_focused()
    expect(site.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    axe_audit(site)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_each_role_signs_in_with_the_keyboard_and_the_home_page_passes_axe(
    site, axe_audit, persona
):
    from tests.factories import PASSWORD

    site.go("/accounts/login/")
    site.get_by_label("Username").focus()
    site.keyboard.type(persona.username)
    site.keyboard.press("Tab")
    site.keyboard.type(PASSWORD)
    site.keyboard.press("Enter")
    site.wait_for_url("**/")
    expect(site.get_by_role("heading", level=1)).to_contain_text("Welcome")
    axe_audit(site)


def test_the_background_jobs_page_passes_axe(sign_in, axe_audit, performance_team):
    page = sign_in(performance_team)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Background jobs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Background jobs")
    axe_audit(page)


def test_the_accessibility_statement_passes_axe(site, axe_audit):
    site.go("/accessibility/")
    axe_audit(site)


def test_the_not_found_page_passes_axe(sign_in, axe_audit, manager):
    page = sign_in(manager)
    page.go("/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe_audit(page)
