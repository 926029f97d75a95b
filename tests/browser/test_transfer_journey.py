"""The import journey in Chromium: upload, see the problems or the preview, confirm; axe on each."""

from playwright.sync_api import expect

from strategy.models import Measure
from tests.strategy.test_service_scorecard_import import (
    build_workbook,
    example,
    persona_users,  # noqa: F401 - a fixture the test below uses
)


def upload(site, tmp_path, sheets, name: str):
    path = tmp_path / name
    path.write_bytes(build_workbook(sheets).getvalue())
    site.go("/strategy/transfer/")
    site.get_by_label("Workbook to import").set_input_files(str(path))
    site.get_by_role("button", name="Upload and check").click()


def test_the_performance_team_previews_problems_then_imports_a_workbook(
    sign_in,
    axe_audit,
    tmp_path,
    performance_team,
    persona_users,  # noqa: F811
):
    site = sign_in(performance_team)
    site.go("/strategy/transfer/")
    axe_audit(site)

    broken = example()
    broken["Targets"][1]["goal"] = "12..3"
    upload(site, tmp_path, broken, "broken.xlsx")
    expect(site).to_have_title("Error: Check the import – Public Scorecard")
    expect(site.locator("[data-error-summary]")).to_be_focused()
    expect(site.get_by_role("table", name="Problems in broken.xlsx")).to_contain_text(
        '"12..3" is not a number'
    )
    axe_audit(site)

    upload(site, tmp_path, example(), "scorecard.xlsx")
    expect(site.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(
        site.get_by_role("table", name="What the import will change, sheet by sheet")
    ).to_be_visible()
    axe_audit(site)
    assert Measure.objects.count() == 0

    site.get_by_role("button", name="Confirm import").click()
    expect(site.get_by_role("status")).to_contain_text("Imported scorecard.xlsx.")
    assert Measure.objects.count() == 5
