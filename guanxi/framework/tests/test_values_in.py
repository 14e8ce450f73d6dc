"""``querysets.values_in``: a long ``IN`` list as one parameter finds what ``__in`` finds."""

import pytest
from django.db.models import Q

from guanxi.core.models import Tag
from guanxi.framework.querysets import values_in
from guanxi.framework.testing.fixtures import as_system


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 120])
def test_values_in_matches_a_plain_in_list(count):
    with as_system():
        tags = [Tag.objects.create(name=f"标签{i}", slug=f"tag-{i}") for i in range(count + 10)]
    wanted = [t.pk for t in tags[:count]] + [10**9]  # one key no row has
    names = [t.name for t in tags[-count:]]
    by_key = Q(pk__in=wanted)
    by_name = Q(name__in=names)
    found = set(Tag.objects.filter(values_in(Tag, "pk", wanted)).values_list("pk", flat=True))
    either = set(
        Tag.objects.filter(values_in(Tag, "pk", wanted) | values_in(Tag, "name", names)).values_list(
            "pk", flat=True
        )
    )
    assert found == set(Tag.objects.filter(by_key).values_list("pk", flat=True))
    assert either == set(Tag.objects.filter(by_key | by_name).values_list("pk", flat=True))


@pytest.mark.django_db
def test_values_in_an_empty_list_finds_nothing():
    assert not Tag.objects.filter(values_in(Tag, "pk", [])).exists()
