"""Base layout, error pages and the content security policy."""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory

from scorecard.views.errors import server_error

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_every_page_has_a_skip_link_landmarks_and_one_h1(client, manager):
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert re.search(r'<body[^>]*>\s*<a class="skip-link" href="#main-content">', html)
    for landmark in ("<header", "<nav", '<main id="main-content"', "<footer"):
        assert landmark in html
    assert html.count("<h1") == 1
    assert "<title>Home – Public Scorecard</title>" in html


def test_htmx_requests_carry_the_csrf_token(client, manager):
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[\w-]+\"\}'", html)


def test_the_content_security_policy_allows_nothing_inline_or_from_elsewhere(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_no_template_has_inline_script_or_loads_from_another_site():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {template}"
        assert not re.search(r'(src|href)="(https?:)?//', text), f"remote asset in {template}"
        assert " style=" not in text, f"inline style in {template}"


def test_a_missing_page_keeps_the_layout(client, manager):
    client.force_login(manager)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_a_forbidden_page_says_so_plainly(client, manager):
    client.force_login(manager)
    response = client.get("/background-jobs/")
    assert response.status_code == 403
    assert "You cannot use this page" in response.content.decode()


def test_the_server_error_page_renders_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
