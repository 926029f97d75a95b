"""Demo data: one user per role, loaded idempotently, never by accident in production."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from scorecard.demo import DEMO_USERS, demo_users_load

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def snapshot():
    users = get_user_model().objects.order_by("username")
    return [
        (u.username, u.password, u.is_staff, sorted(u.groups.values_list("name", flat=True)))
        for u in users
    ]


def test_it_creates_one_user_per_role():
    demo_users_load()
    rows = {name: groups for name, _, _, groups in snapshot()}
    assert rows == {user.username: [user.role.value] for user in DEMO_USERS}


def test_loading_twice_changes_nothing():
    demo_users_load()
    first = snapshot()
    demo_users_load()
    assert snapshot() == first


def test_the_command_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing to load demo data"):
        call_command("load_demo")
    assert not get_user_model().objects.exists()


def test_the_command_prints_one_login_per_role(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    out = capsys.readouterr().out
    logins, _, organisation = out.partition("Riverside City Council demo organisation:")
    for user in DEMO_USERS:
        assert f"{user.username}" in logins
        assert user.role.value in logins
    assert "9 units" in organisation
    assert "initiatives" in organisation
