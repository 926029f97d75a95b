from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "Strategy"

    def ready(self) -> None:
        from strategy.services import roles_grant_admin_permissions

        # No sender filter: the signal is sent only for apps with models, and the permissions
        # granted belong to other apps. Granting is idempotent, so running it per app is safe.
        post_migrate.connect(roles_grant_admin_permissions, dispatch_uid="roles-admin-permissions")
