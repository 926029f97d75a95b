"""The navigation bar: each entry names the roles that may use it."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from strategy.permissions import has_role
from strategy.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[Role, ...] = ()  # empty: every signed-in user

    def allowed(self, user) -> bool:
        return not self.roles or has_role(user, *self.roles)


NAV_ITEMS = [
    NavItem("Home", "home"),
    NavItem("Score roll-ups", "strategy:rollups", (Role.PERFORMANCE_TEAM,)),
    NavItem("Import and export", "strategy:transfer", (Role.PERFORMANCE_TEAM,)),
    NavItem("Background jobs", "background-jobs", (Role.PERFORMANCE_TEAM,)),
    NavItem("Administration", "admin:index", (Role.PERFORMANCE_TEAM,)),
]


def navigation(request) -> dict:
    """Context processor: the entries this user may use, with the current one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for item in NAV_ITEMS:
        if item.allowed(user):
            url = reverse(item.url_name)
            current = request.path == url or (url != "/" and request.path.startswith(url))
            items.append({"label": item.label, "url": url, "current": current})
    return {"nav_items": items}


def product(request) -> dict:
    """Context processor: the product's name and version for titles and the footer."""
    return {
        "PRODUCT_NAME": settings.PRODUCT_NAME,
        "VERSION": settings.VERSION,
        "LOGIN_COOLOFF_MINUTES": settings.LOGIN_COOLOFF_MINUTES,
    }
