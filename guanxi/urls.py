"""URL map: pages, the REST API under /api/v1/, schema and docs, health check."""

from django.conf import settings
from django.urls import include, path

from guanxi.framework.api.docs import api_docs_urls
from guanxi.framework.pickers import pick
from guanxi.framework.views.dataquality import data_quality
from guanxi.framework.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("pick/<str:source>/", pick, name="pick"),  # the pickers' search (framework/pickers.py)
    path("data-quality/", data_quality, name="data_quality"),  # framework/dataquality.py
    path("", include("guanxi.users.urls")),  # login, logout, home, profile, language, search
    path("", include("guanxi.users.urls_tokens")),  # API token settings page
    path("", include("guanxi.core.urls_jobs")),  # my jobs, job progress, notifications
    path("", include("guanxi.core.urls")),  # tags, custom fields, saved views, history
    path("", include("guanxi.users.urls_org")),  # departments, users, roles, teams, access explanation
    path("", include("guanxi.customers.urls")),  # customers, contacts
    path("", include("guanxi.activities.urls")),  # follow-ups, tasks, the 360° card
    path("sales/", include("guanxi.sales.urls")),  # deals, pipelines, stages, the kanban
    path("", include("guanxi.products.urls")),  # products, categories, price lists
    path("", include("guanxi.quotes.urls")),  # quotes, their lines and PDFs
    path("", include("guanxi.contracts.urls")),  # contracts, orders, contract settings
    path("", include("guanxi.receivables.urls")),  # 回款: plans, receipts, invoice requests, aging
    path("", include("guanxi.targets.urls")),  # targets, forecast, leaderboard, sales dashboards
    path("", include("guanxi.approvals.urls")),  # 待我审批, 我发起的, approve / reject / withdraw
    path("", include("guanxi.recyclebin.urls")),  # the recycle bin (Settings)
    path("", include("guanxi.dedup.urls")),  # the duplicates queue (Settings)
    path("", include("guanxi.imports.urls")),  # the import wizard after the upload
    path("api/v1/", include("guanxi.api_urls")),
    *api_docs_urls(),
]

if settings.TESTING:
    urlpatterns.append(path("test/", include("guanxi.framework.testing.testapp.urls")))
