"""Navigation shows each role only what it may use."""

import re

import pytest

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

EXPECTED = {
    "performance_team": [
        "Home",
        "Score roll-ups",
        "Import and export",
        "Background jobs",
        "Administration",
    ],
    "executive": ["Home"],
    "hr": ["Home"],
    "manager": ["Home"],
    "employee": ["Home"],
    "outsider": ["Home"],
}


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav[^>]*aria-label="Main".*?</nav>', html, re.S).group(0)
    return [label.strip() for label in re.findall(r'class="nav-link[^"]*"[^>]*>([^<]+)</a>', nav)]


@pytest.mark.parametrize(("persona", "labels"), EXPECTED.items(), indirect=["persona"])
def test_each_role_sees_its_own_navigation(client, persona, labels):
    client.force_login(persona)
    assert nav_labels(client.get("/").content.decode()) == labels


def test_the_current_page_is_marked_for_screen_readers(client, performance_team):
    client.force_login(performance_team)
    html = client.get("/background-jobs/").content.decode()
    assert re.search(r'href="/background-jobs/" aria-current="page">Background jobs', html)


def test_a_user_without_a_role_is_told_what_to_do(client, outsider):
    client.force_login(outsider)
    assert "Ask your performance team to give you one" in client.get("/").content.decode()
