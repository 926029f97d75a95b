"""Signing in and out, redirects for anonymous visitors, and throttling."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.mark.parametrize("path", ["/", "/background-jobs/", "/background-jobs/heartbeats/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={path}"


def test_the_login_page_and_accessibility_statement_need_no_sign_in(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("accessibility")).status_code == 200


def test_it_signs_in_with_the_right_password(client, manager):
    response = client.post(reverse("login"), {"username": "marcus", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_wrong_password_gets_a_plain_message_and_an_error_title(client, manager):
    response = client.post(reverse("login"), {"username": "marcus", "password": "wrong"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: Sign in" in page
    assert "There is a problem" in page
    assert "Enter a correct username and password. Both are case-sensitive." in page


def test_empty_fields_are_named_next_to_the_field(client):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    page = response.content.decode()
    assert 'href="#id_username">Enter your username' in page
    assert 'aria-describedby="id_username_error_1"' in page
    assert 'aria-invalid="true"' in page


def test_repeated_failures_lock_the_account_for_a_while(client, manager, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "marcus", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "marcus", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert AccessAttempt.objects.filter(username="marcus").exists()


def test_signing_out_needs_a_post_and_ends_the_session(client, manager):
    client.force_login(manager)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302
