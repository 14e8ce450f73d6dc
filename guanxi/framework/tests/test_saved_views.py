"""Saved list views: per user or shared, applied with ?view=, never someone else's private one."""

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.core.models import SavedView, Tag
from guanxi.framework.testing.fixtures import as_system


@pytest.fixture
def tags(db):
    with as_system():
        return [
            Tag.objects.create(name="红色", slug="red-one", color="red"),
            Tag.objects.create(name="绿色", slug="green-one", color="green"),
        ]


@pytest.mark.django_db
def test_save_and_apply_a_view(client, make_user, tags):
    user = make_user("rep", perms=["core.view_tag"])
    client.force_login(user)
    response = client.post("/tags/views/", {"name": "Red only", "query": "color=red&columns=name&sort=-name"})
    saved = SavedView.objects.get(owner=user, name="Red only")
    assert response["Location"] == f"/tags/?view={saved.pk}"
    assert saved.params == {
        "filters": {"color": ["red"]},
        "columns": ["name"],
        "sort": "-name",
        "per_page": None,
    }
    assert saved.shared is False  # only staff may share
    page = client.get(f"/tags/?view={saved.pk}").content.decode()
    assert "红色" in page and "绿色" not in page.split("<tbody>")[1]


@pytest.mark.django_db
def test_private_views_stay_private(client, make_user, tags):
    owner = make_user("owner", perms=["core.view_tag"])
    other = make_user("other", perms=["core.view_tag"])
    with as_system():
        private = SavedView.objects.create(
            content_type=ContentType.objects.get_for_model(Tag),
            owner=owner,
            name="Mine",
            params={"filters": {"color": ["red"]}},
        )
    client.force_login(other)
    assert client.get(f"/tags/?view={private.pk}").status_code == 404
    assert client.post(f"/tags/views/{private.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=private.pk).exists()
