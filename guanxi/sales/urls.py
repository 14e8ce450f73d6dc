from django.urls import path

from guanxi.framework.entities import entity_urls
from guanxi.sales import board, views_pipeline

app_name = "sales"
urlpatterns = [
    path("board/", board.default_board, name="board_default"),
    path("pipelines/<int:pk>/board/", board.BoardView.as_view(), name="pipeline_board"),
    path("pipelines/<int:pk>/board/column/<int:stage_id>/", board.column, name="board_column"),
    path("deals/<int:pk>/move/", board.move, name="deal_move"),
    path("deals/<int:pk>/pipeline/", views_pipeline.change_pipeline, name="deal_pipeline"),
    *entity_urls("sales"),
]
