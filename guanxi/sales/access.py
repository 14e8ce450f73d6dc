"""The deal team (协同人) opens a deal to its members, beyond their data scope.

``deal_team_access`` (registered with ``guanxi.framework.access.register_row_access``) ORs into
``restrict()``: *view* on the deals whose team the user is on, *change* on those where the member
"can edit". The policy calls it only for users holding the action on deals at all, so a team seat
never gives a role a type it lacks. An ``EXISTS`` on the team table: a member of thousands of deal
teams costs the list what a member of one does.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from guanxi.framework.access import register_row_access
from guanxi.sales.choices import TeamAccess
from guanxi.sales.models import Deal, DealTeamMember


def deal_team_access(user: Any, action: str) -> Q | None:
    if not (user is not None and user.is_authenticated and user.pk):
        return None
    if action == "view":
        members = DealTeamMember.objects.filter(deal=OuterRef("pk"), user_id=user.pk)
    elif action == "change":
        members = DealTeamMember.objects.filter(deal=OuterRef("pk"), user_id=user.pk, access=TeamAccess.WRITE)
    else:
        return None
    return Q(Exists(members))


register_row_access(Deal, deal_team_access)
