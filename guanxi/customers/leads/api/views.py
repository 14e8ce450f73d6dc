"""``/api/v1/customers/leads/``: CRUD with the duplicate check, plus ``convert`` and ``assign`` actions.

* ``POST …/leads/`` answers **409** with the matching leads, customers and contacts unless the
  body says ``"allow_duplicate": true``. Without an ``owner`` the lead goes through the
  assignment rules (``assign_lead``) and, if none takes it, waits in the creator's department pool.
* ``POST …/leads/{id}/convert/`` ``{"customer": <id>}`` (existing) or ``{"customer_fields": {…}}``
  (new, overriding what the lead suggests), ``"create_contact": true``; 409 on an ownership conflict.
* ``POST …/leads/{id}/assign/`` ``{"owner": <user id>}`` — needs ``assign`` on the lead.
* ``POST …/leads/{id}/transition/`` ``{"transition": "disqualify", "reason": "…"}`` (also ``contact``,
  ``qualify``, ``reopen``); ``GET …/leads/{id}/transitions/`` lists those the caller may take.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from guanxi.customers.leads.api.serializers import AssignSerializer, ConvertSerializer, LeadSerializer
from guanxi.customers.leads.services.assignment import assign_lead, assign_leads_to
from guanxi.customers.leads.services.leads import convert_lead, describe_duplicates, find_lead_duplicates
from guanxi.customers.leads.views import LeadFilterSet
from guanxi.customers.models import Customer, Lead
from guanxi.customers.services.conflicts import OwnershipConflict
from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.framework.statemachine import TransitionConflict


def duplicate_payload(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {"kind": r.kind, "id": r.pk if r.url else None, "name": r.name, "owner": r.owner, "reason": r.reason}
        for r in rows
    ]


class LeadViewSet(EntityViewSet):
    queryset = Lead.objects.all()
    serializer_class = LeadSerializer
    filterset_class = LeadFilterSet
    required_action: str | None = None  # set per extra action (ModelActionPermission reads it)

    def restrict_action(self) -> str:
        if self.action == "convert":
            return "change"
        if self.action == "assign":
            return "assign"
        return super().restrict_action()

    def create(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not data.pop("allow_duplicate", False):
            matches = find_lead_duplicates(
                phone=data.get("phone", ""),
                email=data.get("email", ""),
                company=data.get("company", ""),
                name=data.get("name", ""),
            )
            if matches:
                return Response(
                    {
                        "detail": _(
                            "This lead matches existing records. "
                            'Send "allow_duplicate": true to create it anyway.'
                        ),
                        "matches": duplicate_payload(describe_duplicates(matches, request.user)),
                    },
                    status=status.HTTP_409_CONFLICT,
                )
        if "source" not in request.data:
            data["source"] = Lead.Source.API
        self.perform_create(serializer)
        return Response(self.get_serializer(serializer.instance).data, status=status.HTTP_201_CREATED)

    def perform_create(self, serializer: Any) -> None:
        from django.db import transaction

        serializer.validated_data.pop("allow_duplicate", None)
        with transaction.atomic():
            owner = serializer.validated_data.get("owner")
            # An owned lead sits in its owner's department; an unowned one in the creator's pool.
            home = owner if owner is not None else self.request.user
            lead = serializer.save(department=getattr(home, "department", None))
            if lead.owner_id is None:
                assign_lead(lead, actor=self.request.user)
            else:
                lead.assigned_at = lead.created_at
                lead.save(update_fields=["assigned_at"])
            self.check_still_visible(lead)

    def perform_update(self, serializer: Any) -> None:
        serializer.validated_data.pop("allow_duplicate", None)
        super().perform_update(serializer)

    @action(detail=True, methods=["post"], required_action="change", serializer_class=ConvertSerializer)
    def convert(self, request: Any, pk: Any = None) -> Response:
        """Convert the lead into a customer and a contact."""
        lead = self.get_object()
        body = ConvertSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        existing = None
        if body.validated_data.get("customer"):
            existing = (
                Customer.objects.restrict(request.user, "change")
                .filter(pk=body.validated_data["customer"])
                .first()
            )
            if existing is None:
                raise serializers.ValidationError(
                    {"customer": [_("No customer with this id that you may change.")]}
                )
        try:
            customer, contact = convert_lead(
                lead,
                actor=request.user,
                customer=existing,
                customer_fields=body.validated_data.get("customer_fields"),
                create_contact=body.validated_data["create_contact"],
            )
        except OwnershipConflict as conflict:
            return Response(
                {"detail": conflict.messages[0], "errors": {"customer": conflict.messages}},
                status=status.HTTP_409_CONFLICT,
            )
        except TransitionConflict as exc:
            return Response({"detail": exc.messages[0], "errors": {}}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict") and "transition" not in exc.message_dict:
                raise serializers.ValidationError(
                    {f"customer_fields.{k}": v for k, v in exc.message_dict.items()}
                ) from None
            return Response(
                {"detail": exc.messages[0], "errors": {"non_field_errors": exc.messages}}, status=422
            )
        lead.refresh_from_db()
        return Response(
            {
                "lead": LeadSerializer(lead, context=self.get_serializer_context()).data,
                "customer": {"id": customer.pk, "display": str(customer)},
                "contact": {"id": contact.pk, "display": str(contact)} if contact else None,
            }
        )

    @action(detail=True, methods=["post"], required_action="assign", serializer_class=AssignSerializer)
    def assign(self, request: Any, pk: Any = None) -> Response:
        """Give the lead to another user."""
        from guanxi.users.models import User

        lead = self.get_object()
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        owner = User.objects.filter(pk=body.validated_data["owner"], is_active=True).first()
        if owner is None:
            raise serializers.ValidationError({"owner": [_("Choose an active user.")]})
        assign_leads_to([lead], owner, actor=request.user)
        lead.refresh_from_db()
        return Response(LeadSerializer(lead, context=self.get_serializer_context()).data)
