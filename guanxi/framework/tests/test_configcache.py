"""ConfigCache: a small table kept in the process, reloaded when it changes, never leaking a change
that is not committed (guanxi/framework/configcache.py)."""

from __future__ import annotations

import pytest
from django.db import transaction

from guanxi.core.models import ChoiceOption
from guanxi.framework.configcache import ConfigCache
from guanxi.framework.context import Source, actor_context


def _values() -> tuple[str, ...]:
    return tuple(
        ChoiceOption.objects.filter(list_name="test.colours")
        .order_by("value")
        .values_list("value", flat=True)
    )


def _two_processes() -> tuple[ConfigCache, ConfigCache, list[int]]:
    """Two caches of one table under one name: what two worker processes hold."""
    loads: list[int] = []

    def load() -> tuple[str, ...]:
        loads.append(1)
        return _values()

    return ConfigCache("test:colours", load), ConfigCache("test:colours", load), loads


def _add(value: str) -> None:
    with actor_context(None, source=Source.TEST):
        ChoiceOption.objects.create(list_name="test.colours", value=value, label_zh=value, label_en=value)


@pytest.mark.django_db
def test_a_request_reads_the_version_once_and_loads_once():
    cache_, _other, loads = _two_processes()
    _add("red")
    with actor_context(None, source=Source.TEST):
        assert cache_.get() == ("red",)
        assert cache_.get() == ("red",)
    assert len(loads) == 1
    with actor_context(None, source=Source.TEST):  # the next request: the version is unchanged
        assert cache_.get() == ("red",)
    assert len(loads) == 1


@pytest.mark.django_db
def test_a_change_is_its_transactions_at_once_and_everybodys_after_the_commit(
    django_capture_on_commit_callbacks,
):
    writer, reader, _loads = _two_processes()
    _add("red")
    assert writer.get() == reader.get() == ("red",)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _add("blue")
        writer.changed()
        assert writer.get() == ("blue", "red")  # the writer sees its own change
        assert reader.get() == ("red",)  # nobody else keeps what might roll back
    assert reader.get() == ("blue", "red")  # committed: every process reloads


@pytest.mark.django_db
def test_a_rolled_back_change_is_not_kept():
    writer, _reader, _loads = _two_processes()
    _add("red")
    assert writer.get() == ("red",)
    with pytest.raises(RuntimeError), transaction.atomic():
        _add("blue")
        writer.changed()
        assert writer.get() == ("blue", "red")
        raise RuntimeError("the change is refused")
    assert writer.get() == ("red",)
