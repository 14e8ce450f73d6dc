"""The columns a list shows are the chosen ones (``?columns=``, a saved view), on every entity."""

import pytest

from guanxi.framework.testing.testapp.views import GadgetTable

pytestmark = [pytest.mark.django_db]


def test_chosen_columns_replace_the_defaults_on_a_change_logged_entity():
    table = GadgetTable([], columns=["name", "code"])
    # then the row actions, rendered for the phone's cards only (hidden on wide screens, never exported)
    assert [c.name for c in table.columns if c.visible] == ["pk", "name", "code", "row_actions"]
    assert table.card_only == {"row_actions"}


def test_without_a_choice_the_default_columns_show():
    table = GadgetTable([])
    assert [c.name for c in table.columns if c.visible][:3] == ["pk", "name", "code"]
    assert "owner" in [c.name for c in table.columns if c.visible]
