"""``/api/v1/customers/customers/`` and ``/api/v1/customers/contacts/`` (the recipe's three classes each)."""

from guanxi.customers.api.pools import register_pool_routes
from guanxi.customers.models import Contact, Customer
from guanxi.customers.views import ContactFilterSet, CustomerFilterSet
from guanxi.framework.api.routers import EntityRouter
from guanxi.framework.api.serializers import EntitySerializer
from guanxi.framework.api.viewsets import EntityViewSet


class CustomerSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Customer
        fields = [
            "kind", "name", "short_name", "credit_code", "industry", "scale", "website", "province",
            "city", "district", "address", "phone", "email", "source", "level", "stage", "status",
            "gender", "birthday", "wechat_id", "notes",
        ]  # fmt: skip


class CustomerViewSet(EntityViewSet):
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet


class ContactSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Contact
        fields = ["name", "title", "phone", "email", "wechat_id", "birthday"]


class ContactViewSet(EntityViewSet):
    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet


router = EntityRouter("customers")
router.register("customers", CustomerViewSet)
router.register("contacts", ContactViewSet)
register_pool_routes(router)  # public pools (公海): pools, pool-rules, claim/release, dry-run
urlpatterns = router.urls
