"""The deal team (协同人) opens a deal to its members, beyond their data scope.

``deal_team_access`` (registered with ``guanxi.framework.access.register_row_access``) ORs into
``restrict()``: *view* on the deals whose team the user is on, *change* on those where the member
"can edit". The policy calls it only for users holding the action on deals at all, so a team seat
never gives a role a type it lacks.

The ids of the user's team deals are a part of their cached access snapshot (a team change bumps
the organisation version, like a record share), used as a literal ``id IN (…)``: a user on no
team adds nothing to the list's query, and a member of a few teams adds an index lookup — an
``OR EXISTS`` over the team table would cost every list and board query a scan (bench_deals).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from guanxi.framework.access import register_row_access, register_snapshot_part, snapshot_part
from guanxi.sales.choices import TeamAccess
from guanxi.sales.models import Deal, DealTeamMember
from guanxi.users.access_version import watch_access_models

TEAM_PART = "sales.deal_teams"


@dataclass(frozen=True)
class TeamDeals:
    """The deals a user is on the team of (ids): all of them, and those they may edit."""

    view: tuple[int, ...]
    change: tuple[int, ...]


def compute_team_deals(user: Any) -> TeamDeals:
    if not (user is not None and user.is_authenticated and user.pk):
        return TeamDeals((), ())
    rows = list(DealTeamMember.objects.filter(user_id=user.pk).values_list("deal_id", "access"))
    return TeamDeals(
        tuple(sorted(pk for pk, _a in rows)), tuple(sorted(pk for pk, a in rows if a == TeamAccess.WRITE))
    )


register_snapshot_part(TEAM_PART, compute_team_deals)
watch_access_models(DealTeamMember)


def deal_team_access(user: Any, action: str) -> Q | None:
    if action not in ("view", "change") or not (user is not None and user.is_authenticated and user.pk):
        return None
    ids = getattr(snapshot_part(user, TEAM_PART), action)
    return Q(pk__in=ids) if ids else None


register_row_access(Deal, deal_team_access)
