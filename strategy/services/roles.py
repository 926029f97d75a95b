"""Role groups and the admin permissions each role needs."""

from django.contrib.auth.models import Group, Permission

from strategy.roles import ADMIN_MODELS, Role


def roles_grant_admin_permissions(**kwargs) -> None:
    """Give each role's group the admin permissions it needs; safe to run again."""
    for role, models in ADMIN_MODELS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        for app_label, model in models:
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, content_type__model=model
            )
            group.permissions.add(*permissions)
    viewer = Permission.objects.filter(content_type__app_label="auth", codename="view_user")
    Group.objects.get_or_create(name=Role.PERFORMANCE_TEAM.value)[0].permissions.add(*viewer)


def role_groups() -> dict[Role, Group]:
    """The group of each role, created if a flush removed it."""
    return {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
