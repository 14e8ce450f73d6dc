"""Global search UI: the full results page and the top-bar dropdown partial (htmx)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from guanxi.core.models import Tag
from guanxi.framework.search import registered_models
from guanxi.framework.testing.fixtures import as_system


@pytest.fixture
def tags(db: Any) -> list[Tag]:
    assert Tag in registered_models()  # guanxi/core/search.py registers the Tag index
    with as_system():
        return [
            Tag.objects.create(name="VIP", slug="vip", color="amber"),
            Tag.objects.create(
                name="重点客户", slug="key-account", color="red", description="年采购额超过百万"
            ),
            Tag.objects.create(name="渠道伙伴", slug="partner", color="blue"),
        ]


@pytest.fixture
def viewer(client: Client, make_user: Any) -> Client:
    client.force_login(make_user("zhangsan", perms=["core.view_tag"]))
    return client


def hit_titles(body: str) -> list[str]:
    return re.findall(r'<span class="search-hit-title">([^<]+)</span>', body)


@pytest.mark.django_db
class TestSearchPage:
    def test_results_grouped_by_type_with_links(self, viewer: Client, tags: list[Tag]) -> None:
        response = viewer.get("/search/", {"q": "vip"}, HTTP_ACCEPT_LANGUAGE="en")
        body = response.content.decode()
        assert response.status_code == 200
        assert "<html" in body
        assert hit_titles(body) == ["VIP"]
        assert response.context["groups"][0][0] == "tag"
        assert re.search(r'<h2 class="card-title" id="group-1">Tag</h2>', body)
        assert "1 result for “vip”" in body
        url = tags[0].get_absolute_url()
        assert f'<a class="search-hit" href="{url or "#"}">' in body
        # The query stays in both search boxes.
        assert body.count('value="vip"') == 2

    def test_pinyin_initials_find_chinese_names(self, viewer: Client, tags: list[Tag]) -> None:
        body = viewer.get("/search/", {"q": "zdkh"}).content.decode()
        assert hit_titles(body) == ["重点客户"]

    def test_match_in_another_field_is_shown(self, viewer: Client, tags: list[Tag]) -> None:
        # 3 characters: inside a light field such as a description (2 Chinese characters look
        # inside name-like fields only, docs/search-and-lists.md)
        body = viewer.get("/search/", {"q": "采购额"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert hit_titles(body) == ["重点客户"]
        assert "Tag · 年采购额超过百万" in body

    def test_empty_query_explains_what_search_does(self, viewer: Client, tags: list[Tag]) -> None:
        response = viewer.get("/search/", HTTP_ACCEPT_LANGUAGE="en")
        body = response.content.decode()
        assert "What are you looking for?" in body
        assert hit_titles(body) == []

    def test_no_results_gives_tips(self, viewer: Client, tags: list[Tag]) -> None:
        body = viewer.get("/search/", {"q": "nothing-like-this"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "No matches for “nothing-like-this”" in body
        assert "Pinyin or its initials" in body
        assert "The last digits of a phone number" in body

    def test_results_respect_permissions(self, client: Client, make_user: Any, tags: list[Tag]) -> None:
        client.force_login(make_user("nobody"))
        body = client.get("/search/", {"q": "vip"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert hit_titles(body) == []
        assert "No matches for “vip”" in body

    def test_query_is_escaped(self, viewer: Client, tags: list[Tag]) -> None:
        body = viewer.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
        assert "<script>alert(1)" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body

    def test_limit_is_50_on_the_page(self, viewer: Client, tags: list[Tag]) -> None:
        with as_system():
            Tag.objects.bulk_create([Tag(name=f"Bulk {i:03d}", slug=f"bulk-{i}") for i in range(60)])
            from guanxi.framework.search import reindex

            reindex(Tag)
        response = viewer.get("/search/", {"q": "bulk"}, HTTP_ACCEPT_LANGUAGE="en")
        assert len(hit_titles(response.content.decode())) == 50
        assert "showing the best matches" in response.content.decode()


@pytest.mark.django_db
class TestSearchDropdown:
    def test_htmx_request_gets_the_dropdown_partial(self, viewer: Client, tags: list[Tag]) -> None:
        response = viewer.get("/search/", {"q": "vip"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
        body = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in body and "<main" not in body
        assert '<div class="search-group-title">Tag</div>' in body
        assert hit_titles(body) == ["VIP"]
        assert '<a href="/search/?q=vip">See all results →</a>' in body

    def test_dropdown_is_capped_at_8(self, viewer: Client, tags: list[Tag]) -> None:
        with as_system():
            for i in range(12):
                Tag.objects.create(name=f"Many {i:02d}", slug=f"many-{i}")
        body = viewer.get("/search/", {"q": "many"}, HTTP_HX_REQUEST="true").content.decode()
        assert len(hit_titles(body)) == 8

    def test_dropdown_no_results_and_empty_query(self, viewer: Client, tags: list[Tag]) -> None:
        none = viewer.get("/search/", {"q": "zzzz"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
        assert "No matches for “zzzz”" in none.content.decode()
        empty = viewer.get("/search/", {"q": "  "}, HTTP_HX_REQUEST="true")
        assert empty.content.decode().strip() == ""

    def test_dropdown_requires_login(self, client: Client) -> None:
        response = client.get("/search/", {"q": "vip"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 302
