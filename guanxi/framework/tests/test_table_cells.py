"""The list's cells, rendered once per column (``EntityTable.rendered_rows``), are exactly what
django-tables2's ``row.items`` through the template used to write — escaping included."""

from __future__ import annotations

import re

import pytest
from django.template import engines
from django.utils import timezone

from guanxi.core.models import Tag
from guanxi.customers.models import Customer
from guanxi.customers.views import CustomerTable, CustomerViews
from guanxi.framework.tags import set_tags
from guanxi.framework.testing.fixtures import as_system

pytestmark = [pytest.mark.django_db]

# What generic/list.html did before rendered_rows: one template variable per cell.
TEMPLATE_CELLS = (
    "{% for row in table.paginated_rows %}"
    '<tr>{% for column, cell in row.items %}<td{% if column.name == "pk" %} class="col-select"{% endif %}>'
    "{{ cell }}</td>{% endfor %}</tr>{% endfor %}"
)


# The cells' classes and card labels (cards at phone width) are the table's, not the values':
# compare the contents.
TD = re.compile(r"<td[^>]*>")


def both(table: CustomerTable) -> tuple[str, str]:
    by_template = engines["django"].from_string(TEMPLATE_CELLS).render({"table": table})
    by_rows = "".join(f"<tr>{cells}</tr>" for cells in table.rendered_rows())
    return TD.sub("<td>", by_rows), TD.sub("<td>", by_template)


def make_table(admin_user, columns=None):
    table = CustomerTable(CustomerViews.get_queryset().order_by("pk"), columns=columns, user=admin_user)
    table.paginate(per_page=50)
    return table


def test_cells_match_the_template_and_escape_user_input(admin_user):
    with as_system():
        evil = Customer.objects.create(
            name="<script>alert(1)</script>华信", phone="+8613800138000", level="A", owner=admin_user
        )
        Customer.objects.create(name="Tom & Jerry 公司", phone="not a phone", stage="won")
        Customer.objects.create(name="空")
        tag = Tag.objects.create(name="<b>重点</b>", slug="key")
        set_tags(evil, [tag])
    ours, theirs = both(make_table(admin_user))
    assert ours == theirs
    assert "<script>" not in ours and "&lt;script&gt;alert(1)&lt;/script&gt;华信" in ours
    assert "&lt;b&gt;重点&lt;/b&gt;" in ours and "Tom &amp; Jerry" in ours
    assert "138 0013 8000" in ours  # the phone column's formatter ran
    raw = "".join(table_rows(admin_user))
    assert raw.count('<td class="col-select">') == 3
    assert raw.count('<td class="cell-title">') == 3
    assert raw.count('<td class="cell-card" data-label="Level">') == 3
    # A card field not chosen as a column renders for the card only; the actions cell likewise.
    assert raw.count('<td class="cell-card card-only" data-label="Last contacted">') == 3
    assert raw.count('<td class="row-actions card-only">') == 3


def table_rows(admin_user):
    return list(make_table(admin_user).rendered_rows())


def test_cells_match_for_every_column(admin_user):
    with as_system():
        Customer.objects.create(
            name="深圳&前海", short_name="前海", kind="person", email="a@b.cn", industry="<i>"
        )
    every = [name for name, _header, _shown in make_table(admin_user).choosable_columns()]
    ours, theirs = both(make_table(admin_user, columns=every))
    assert ours == theirs and "深圳&amp;前海" in ours and "&lt;i&gt;" in ours


def test_date_columns_compile_their_template_once_and_render_as_django_tables2(admin_user):
    """Model date and time columns are the framework's (``_CompiledOnce``): the same cells as
    django-tables2's own column, with the template compiled once, not once per cell."""
    import django_tables2 as tables

    from guanxi.framework import tables as framework_tables

    with as_system():
        for name in ("华信", "恒通", "前海"):
            Customer.objects.create(name=name)
    table = make_table(admin_user, columns=["name", "created_at"])
    column = table.columns["created_at"].column
    assert isinstance(column, framework_tables.DateTimeColumn)

    class Theirs(CustomerTable):
        created_at = tables.DateTimeColumn(verbose_name=column.verbose_name)

        class Meta(CustomerTable.Meta):
            pass

    theirs = Theirs(
        CustomerViews.get_queryset().order_by("pk"), columns=["name", "created_at"], user=admin_user
    )
    theirs.paginate(per_page=50)
    framework_tables._compiled_template.cache_clear()
    ours = "".join(table.rendered_rows())
    assert framework_tables._compiled_template.cache_info().misses == 1  # three cells, one compilation
    assert ours == "".join(theirs.rendered_rows())
    assert ours.count(str(timezone.localdate().year)) >= 3
