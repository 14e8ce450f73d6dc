"""A background job's page shows its progress; the bell shows the unread notification it left."""

from __future__ import annotations

import pytest
from django.utils import translation

from guanxi.core.models import Job, Notification
from guanxi.core.tasks import reindex_search
from guanxi.framework.jobs import start_job
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finished_job_page_and_notification_bell(page, live_server, admin_user):
    # Outside a transaction the job is enqueued at once; tests run tasks immediately.
    job = start_job("重建搜索索引", reindex_search, user=admin_user)
    job.refresh_from_db()
    assert (job.status, job.progress) == (Job.Status.COMPLETED, 100)
    notification = Notification.objects.get(recipient=admin_user)

    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    progress = page.locator("#job-progress progress.progress")
    assert progress.get_attribute("value") == "100"
    assert progress.get_attribute("max") == "100"
    with translation.override("zh-hans"):  # the page speaks the browser's language, Chinese
        assert page.locator("#job-progress .badge").inner_text() == str(Job.Status.COMPLETED.label)
    assert page.locator("#job-progress .alert-success").is_visible()
    # Finished: the panel no longer polls.
    assert page.locator("#job-progress").get_attribute("hx-trigger") is None

    bell = page.locator(".topbar-actions .dropdown").filter(has=page.locator("#notification-menu"))
    assert bell.locator(".count").inner_text() == "1"
    bell.locator("button.icon-btn").click()
    item = page.locator("#notification-menu button.dropdown-item.unread")
    item.wait_for()
    with translation.override("zh-hans"):
        title = translation.gettext("Finished: %(name)s") % {"name": "重建搜索索引"}
    assert notification.title == title
    assert item.locator("strong").inner_text() == title

    # Opening it marks it read and leads to the job.
    with page.expect_navigation():
        item.click()
    assert page.url == f"{live_server.url}/jobs/{job.pk}/"
    assert bell.locator(".count").count() == 0
