"""One member's history: the household's audit entries that changed this member, each
narrowed to the member's own part of the snapshots.

Member writes are audited under their household (history.py), in these shapes:

- `household.create`: after = the household with `members`, each a member snapshot with
  its `year` record;
- `member.add`: after = the member snapshot with its `year` record;
- `member.update`: before/after = the member's `id` and the fields that changed (entries
  written before the `id` was added name no member and cannot be listed);
- `member_year.put`: before/after = the year record, which names the member in `member_id`;
- `member.remove`: before/after = `id`, `left_on`, `leave_reason`; when the head left,
  after names the new head in `new_head_member_id` and before keeps their old relation in
  `new_head_relation` (older entries lack it: the new head's before is then null).

- `household.import`: after lists the members the import wrote (`members` for a new
  household, `members_written` for a stored one) and before those it released
  (`members_left`), each as id, name, masked ID and relation (imports before the id was
  added name no member and cannot be listed).

A narrowed before/after is always a part of a member document: stable facts at the top,
the year record under `year`.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.households.history import ENTITY
from services.registry.households.members import get_member
from services.registry.households.records import get_household
from services.registry.households.views import HistoryEntry
from shared.auth import Principal
from shared.models import AuditEntry

# What member reads null for roles outside HEALTH_ROLES (views.member_read).
_HEALTH_FIELDS = ("health", "disability_category", "disability_grade")
# Keys of a removal that speak of the new head, not of the member who left.
_NEW_HEAD_KEYS = frozenset({"new_head_member_id", "new_head_relation"})


class MemberHistoryEntry(HistoryEntry):
    """One write that changed the member, from the household's audit log; `before` and
    `after` hold only this member's part (null before a creation)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 4712,
                    "at": "2019-11-21T10:05:00+08:00",
                    "actor": "wang.cadre",
                    "actor_role": "village_cadre",
                    "action": "member_year.put",
                    "before": {"year": {"year": 2019, "work_status": "in_county"}},
                    "after": {"year": {"year": 2019, "work_status": "outside_province"}},
                }
            ]
        }
    )


def _changed(member_id: str) -> sa.ColumnElement[bool]:
    """Entries that changed the member, by containment on their snapshots. The action is
    named in each branch so that a read of the member (an ID reveal) does not match."""
    own = {"id": member_id}
    return sa.or_(
        sa.and_(
            AuditEntry.action.in_(("member.add", "member.update", "member.remove")),
            sa.or_(AuditEntry.after.contains(own), AuditEntry.before.contains(own)),
        ),
        sa.and_(
            AuditEntry.action == "member.remove",
            AuditEntry.after.contains({"new_head_member_id": member_id}),
        ),
        sa.and_(
            AuditEntry.action == "member_year.put",
            AuditEntry.after.contains({"member_id": member_id}),
        ),
        sa.and_(
            AuditEntry.action == "household.create",
            AuditEntry.after.contains({"members": [own]}),
        ),
        sa.and_(
            AuditEntry.action == "household.import",
            sa.or_(
                AuditEntry.after.contains({"members": [own]}),
                AuditEntry.after.contains({"members_written": [own]}),
                AuditEntry.before.contains({"members_left": [own]}),
            ),
        ),
    )


async def list_member_history(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    *,
    after: int | None,
    limit: int,
    show_health: bool,
) -> list[MemberHistoryEntry]:
    """Oldest first, as the household's history. Only the household's own entries are read
    (the audit log's (entity, entity_id, id) index); containment filters among them."""
    household = await get_household(session, principal, household_id)
    member = await get_member(session, household, member_id)
    query = (
        sa.select(AuditEntry)
        .where(
            AuditEntry.entity == ENTITY,
            AuditEntry.entity_id == str(household.id),
            _changed(str(member.id)),
        )
        .order_by(AuditEntry.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(AuditEntry.id > after)
    entries = (await session.scalars(query)).all()
    return [narrow(e, str(member.id), show_health=show_health) for e in entries]


def narrow(entry: AuditEntry, member_id: str, *, show_health: bool) -> MemberHistoryEntry:
    before, after = _parts(entry.action, entry.before, entry.after, member_id)
    if not show_health:
        before, after = _without_health(before), _without_health(after)
    return MemberHistoryEntry.model_validate(entry).model_copy(
        update={"before": before, "after": after}
    )


Part = dict[str, Any] | None


def _parts(action: str, before: Part, after: Part, member_id: str) -> tuple[Part, Part]:
    if action == "household.create":
        return None, _listed(after, "members", member_id)
    if action == "household.import":
        written = _listed(after, "members", member_id) or _listed(
            after, "members_written", member_id
        )
        return _listed(before, "members_left", member_id), written
    if action == "member_year.put":
        return _as_year(before), _as_year(after)
    if action == "member.remove" and (after or {}).get("id") != member_id:
        return _new_head(before, member_id)
    return _own(before), _own(after)


def _listed(snapshot: Part, key: str, member_id: str) -> Part:
    """The member's item in one of the snapshot's member lists."""
    found = [m for m in (snapshot or {}).get(key, []) if m.get("id") == member_id]
    return found[0] if found else None


def _as_year(record: Part) -> Part:
    return {"year": record} if record is not None else None


def _own(snapshot: Part) -> Part:
    if snapshot is None:
        return None
    return {k: v for k, v in snapshot.items() if k not in _NEW_HEAD_KEYS}


def _new_head(before: Part, member_id: str) -> tuple[Part, Part]:
    """The member became head when the head left (remove_member sets relation "head")."""
    old = (before or {}).get("new_head_relation")
    was = {"id": member_id, "relation": old} if old is not None else None
    return was, {"id": member_id, "relation": "head"}


def _without_health(part: Part) -> Part:
    if part is None or not isinstance(part.get("year"), dict):
        return part
    year = {k: (None if k in _HEALTH_FIELDS else v) for k, v in part["year"].items()}
    return {**part, "year": year}
