"""Serializers of customers and contacts.

Customer writes run the 撞单 check: a conflict is a 409 whose body names the owner (in the
caller's language) and lists the ``matches``; under the ``warn`` policy the client repeats the
request with ``"confirm_conflict": true``.
"""

import copy
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from guanxi.customers.models import Contact, Customer
from guanxi.framework.api.errors import Conflict
from guanxi.framework.api.serializers import EntitySerializer


class CustomerSerializer(EntitySerializer):
    confirm_conflict = serializers.BooleanField(
        write_only=True, required=False, help_text="Save despite an ownership conflict (policy `warn`)."
    )

    class Meta(EntitySerializer.Meta):
        model = Customer
        fields = [
            "kind", "name", "short_name", "credit_code", "industry", "scale", "website", "region_code",
            "province", "city", "district", "address", "phone", "email", "source", "level", "stage",
            "status", "gender", "birthday", "id_number", "wechat_id", "notes", "confirm_conflict",
        ]  # fmt: skip
        read_only_fields = ["province", "city", "district"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from guanxi.customers.services.conflicts import OwnershipConflict
        from guanxi.customers.services.customers import conflict_details, customer_conflicts

        confirmed = bool(attrs.pop("confirm_conflict", False))
        attrs = super().validate(attrs)
        request = self.context.get("request")
        actor = getattr(request, "user", None)
        candidate = copy.copy(self.instance) if self.instance is not None else Customer()
        for key, value in attrs.items():
            if key in {f.name for f in Customer._meta.concrete_fields}:
                setattr(candidate, key, value)
        try:
            customer_conflicts(actor=actor, customer=candidate, confirmed=confirmed)
        except OwnershipConflict as conflict:
            raise Conflict(
                conflict.messages[0] or _("This customer conflicts with an existing one."),
                code="ownership_conflict",
                extra={"matches": conflict_details(conflict.matches, actor)},
            ) from None
        return attrs


class ContactSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Contact
        fields = ["name", "title", "phone", "mobile", "email", "wechat_id", "birthday"]
