"""Pages every signed-in user has: home and the accessibility statement."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from strategy.permissions import user_roles
from strategy.roles import Role


def home(request):
    """What the user can do here, by role."""
    user = request.user
    roles = sorted(user_roles(user), key=list(Role).index)
    return render(request, "home.html", {"roles": roles, "is_superuser": user.is_superuser})


@login_not_required
def accessibility(request):
    """The accessibility statement the regulations ask operators to publish."""
    return render(request, "accessibility.html")
