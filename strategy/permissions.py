"""Who may do what: role predicates shared by views, templates and (later) the API."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

from strategy.roles import Role


def user_roles(user) -> frozenset[Role]:
    """The roles a user holds, read once per request and cached on the user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_scorecard_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        user._scorecard_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    """True when the user holds any of the roles (a superuser holds them all)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(user_roles(user) & set(roles))


def role_required(*roles: Role) -> Callable:
    """View decorator: signed-in users without one of the roles get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RoleRequiredMixin(AccessMixin):
    """The class-based twin of role_required: set `roles` on the view."""

    roles: tuple[Role, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not has_role(request.user, *self.roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
