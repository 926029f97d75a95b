"""Roles are groups made by a data migration; the admin permissions follow each migrate."""

import pytest
from django.contrib.auth.models import Group

from strategy.permissions import has_role, user_roles
from strategy.roles import Role

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_the_migration_created_a_group_for_every_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_the_performance_team_can_manage_the_schedule_in_the_admin(performance_team):
    assert performance_team.has_perm("django_celery_beat.change_periodictask")


def test_other_roles_have_no_admin_permissions(manager):
    assert not manager.has_perm("django_celery_beat.change_periodictask")


def test_roles_are_read_once_per_user(manager, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert user_roles(manager) == {Role.MANAGER}
        assert has_role(manager, Role.MANAGER)
        assert not has_role(manager, Role.HR)


def test_a_superuser_holds_every_role(django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 20)
    assert all(has_role(admin, role) for role in Role)
