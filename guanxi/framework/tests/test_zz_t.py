import pytest
from django.utils import translation
@pytest.mark.django_db
def test_x(rf):
    from guanxi.customers.views import CustomerFilterSet, CustomerViews
    import guanxi.activities.views, guanxi.users.views_org, guanxi.core.views
    from guanxi.framework.views import _BY_MODEL
    for label, v in _BY_MODEL.items():
        if not v.filterset: continue
        with translation.override("en"):
            fs = v.filterset(None)
            a = [str(f.label) for f in fs.filters.values()]
            b = [str(f.field.label) for f in fs.filters.values()]
        with translation.override("zh-hans"):
            fs = v.filterset(None)
            a2 = [str(f.label) for f in fs.filters.values()]
            b2 = [str(f.field.label) for f in fs.filters.values()]
        print(label, [x for x,y in zip(a,a2) if x==y], [x for x,y in zip(b,b2) if x==y])
