"""The import and export page: upload, preview every problem or the changes, then confirm."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from strategy.models import Measure, OrgUnit, Target
from strategy.roles import Role
from strategy.views import transfer as transfer_views
from tests.factories import UserFactory
from tests.strategy.test_service_scorecard_import import (
    build_workbook,
    example,
    persona_users,  # noqa: F401 - a fixture the tests below use
    table_counts,
)

pytestmark = pytest.mark.django_db

PAGE = "/strategy/transfer/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def example_upload(sheets=None, name: str = "scorecard.xlsx") -> SimpleUploadedFile:
    return upload(name, build_workbook(sheets or example()).getvalue())


@pytest.fixture
def team_client(client, performance_team, persona_users):  # noqa: F811 - fixture by name
    client.force_login(performance_team)
    return client


def preview_url(response) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


@pytest.mark.parametrize("persona", ["executive", "hr", "manager", "employee", "outsider"])
def test_only_the_performance_team_may_import(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(PAGE, {"workbook": example_upload()})

    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get(PAGE)["Location"].startswith("/accounts/login/")


def test_the_page_offers_an_upload_and_an_export(team_client):
    html = team_client.get(PAGE).content.decode()

    assert '<input type="file" name="workbook"' in html
    assert "Download the workbook (.xlsx)" in html
    assert "<caption>Columns of the Targets sheet</caption>" in html


def test_a_file_that_is_not_xlsx_is_refused_with_a_summary(team_client):
    response = team_client.post(PAGE, {"workbook": upload("notes.csv", b"a,b\n1,2")})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Import and export" in html
    assert "There is a problem" in html
    assert "Choose an Excel workbook (.xlsx): “notes.csv” is not one" in html


def test_a_renamed_file_that_is_not_a_workbook_is_refused(team_client):
    response = team_client.post(PAGE, {"workbook": upload("fake.xlsx", b"not a zip at all")})

    assert "This file is not an Excel workbook (.xlsx)" in response.content.decode()


def test_a_file_over_five_megabytes_is_refused(team_client):
    big = upload("big.xlsx", b"0" * (5 * 1024 * 1024 + 1))

    response = team_client.post(PAGE, {"workbook": big})

    assert "the limit on this page is 5 MB" in response.content.decode()


def test_no_file_at_all_asks_for_one(team_client):
    response = team_client.post(PAGE, {})

    assert "Choose a workbook to upload" in response.content.decode()


def test_a_sound_upload_is_previewed_and_nothing_is_written(team_client):
    before = table_counts()

    response = team_client.get(preview_url(team_client.post(PAGE, {"workbook": example_upload()})))

    html = response.content.decode()
    assert "<caption>What the import will change, sheet by sheet</caption>" in html
    assert re.search(r'<th scope="row">Measures</th>\s*<td class="text-end">5</td>', html)
    assert "Confirm import" in html
    assert table_counts() == before


def test_confirming_imports_the_workbook_and_removes_the_upload(team_client):
    url = preview_url(team_client.post(PAGE, {"workbook": example_upload()}))
    token = url.rstrip("/").rsplit("/", 1)[1]

    response = team_client.post(url, follow=True)

    assert "Imported scorecard.xlsx." in response.content.decode()
    assert Measure.objects.count() == 5
    assert not (transfer_views._upload_dir() / f"{token}.xlsx").exists()
    assert transfer_views.SESSION_KEY not in team_client.session


def test_a_workbook_with_problems_lists_every_one_and_offers_no_confirm(team_client):
    sheets = example()
    sheets["Targets"][1]["goal"] = "12..3"
    sheets["Measures"][1]["polarity"] = "sideways"
    url = preview_url(team_client.post(PAGE, {"workbook": example_upload(sheets)}))

    html = team_client.get(url).content.decode()

    assert "<title>Error: Check the import" in html
    assert "The workbook has 2 problems, so nothing has been imported" in html
    assert "<td>Targets</td>\n      <td>3</td>\n      <td>goal</td>" in html
    assert "&quot;12..3&quot; is not a number" in html
    assert "Confirm import" not in html


def test_confirming_checks_the_workbook_again(team_client):
    url = preview_url(team_client.post(PAGE, {"workbook": example_upload()}))
    team_client.post(url)
    Target.objects.all().delete()
    OrgUnit.objects.filter(code="HOUSING").update(name="Housing")
    second = preview_url(team_client.post(PAGE, {"workbook": example_upload()}))

    response = team_client.post(second, follow=True)

    assert "Imported scorecard.xlsx. 3 rows added and 1 changed." in response.content.decode()


def test_a_preview_token_from_another_session_is_not_honoured(team_client):
    url = preview_url(team_client.post(PAGE, {"workbook": example_upload()}))
    colleague = Client()
    colleague.force_login(UserFactory(username="paula", roles=[Role.PERFORMANCE_TEAM]))

    response = colleague.post(url)

    assert response.status_code == 302
    assert Measure.objects.count() == 0


def test_an_unknown_token_sends_the_user_back_with_a_message(team_client):
    response = team_client.get(f"{PAGE}preview/{'x' * 32}/", follow=True)

    assert "That upload is no longer here. Upload the workbook again." in response.content.decode()


def test_the_export_downloads_a_workbook_with_a_safe_name(team_client, performance_team):
    team_client.post(preview_url(team_client.post(PAGE, {"workbook": example_upload()})))
    unit = OrgUnit.objects.get(code="HOUSING")

    response = team_client.get(f"{PAGE}export/", {"unit": unit.pk})

    assert response.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="scorecard-HOUSING-\d{4}-\d{2}-\d{2}\.xlsx"',
        response["Content-Disposition"],
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [row[0] for row in book["Units"].iter_rows(min_row=2, values_only=True)] == [
        "COUNCIL",
        "HOUSING",
    ]


def test_an_export_without_a_unit_asks_for_one(team_client):
    response = team_client.get(f"{PAGE}export/")

    html = response.content.decode()
    assert "<title>Error: Import and export" in html
    assert "Choose a unit to export" in html
