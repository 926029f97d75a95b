"""URLs of the strategy side, under the `strategy` namespace."""

from django.urls import path

from strategy.views import rollups, transfer

app_name = "strategy"

urlpatterns = [
    path("strategy/rollups/", rollups.rollup_list, name="rollups"),
    path("strategy/rollups/tables/", rollups.rollup_rows, name="rollup-tables"),
    path("strategy/rollups/start/", rollups.rollup_start, name="rollup-start"),
    path("strategy/transfer/", transfer.transfer_index, name="transfer"),
    path("strategy/transfer/export/", transfer.transfer_export, name="transfer-export"),
    path(
        "strategy/transfer/preview/<str:token>/",
        transfer.transfer_preview,
        name="transfer-preview",
    ),
]
