"""Writes with rules, history or side effects, for the strategy side.

One module per topic, re-exported here so callers write `from strategy import services`.
"""

from strategy.services.roles import role_groups, roles_grant_admin_permissions
from strategy.services.rollup import (
    affected_by,
    period_close,
    scores_drain,
    scores_recompute,
    scores_recompute_all,
    scores_request,
    scores_request_for,
)
from strategy.services.transfer import ImportResult, scorecard_export, scorecard_import

__all__ = [
    "ImportResult",
    "affected_by",
    "period_close",
    "role_groups",
    "roles_grant_admin_permissions",
    "scorecard_export",
    "scorecard_import",
    "scores_drain",
    "scores_recompute",
    "scores_recompute_all",
    "scores_request",
    "scores_request_for",
]
