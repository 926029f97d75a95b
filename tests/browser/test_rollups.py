"""The roll-ups page in Chromium: start a full roll-up with the keyboard, axe audit."""

from playwright.sync_api import expect

from tests.strategy.scenarios import hand_checked_org


def test_the_performance_team_starts_a_full_roll_up(
    sign_in, axe_audit, performance_team, in_process_tasks
):
    hand_checked_org()
    page = sign_in(performance_team)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Score roll-ups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Score roll-ups")
    axe_audit(page)
    page.get_by_role("button", name="Start a full roll-up").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Full roll-up queued")
    expect(page.get_by_text("Succeeded").first).to_be_visible(timeout=20_000)
    axe_audit(page)
