"""URLs of the strategy side, under the `strategy` namespace."""

from django.urls import path

from strategy.views import rollups

app_name = "strategy"

urlpatterns = [
    path("strategy/rollups/", rollups.rollup_list, name="rollups"),
    path("strategy/rollups/tables/", rollups.rollup_rows, name="rollup-tables"),
    path("strategy/rollups/start/", rollups.rollup_start, name="rollup-start"),
]
