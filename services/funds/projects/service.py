"""Projects: proposal, corrections before review, and the stages of the procedure."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.allocations.models import Allocation
from services.funds.codes import ProjectKind, Stage
from services.funds.errors import ProcedureViolation
from services.funds.ledger import service as ledger
from services.funds.money import format_fen
from services.funds.projects import procedure
from services.funds.projects.models import Project, ProjectStage
from services.funds.projects.schemas import (
    NoticeRead,
    ProjectCreate,
    ProjectRead,
    ProjectUpdate,
    StageCreate,
    StageRead,
)
from services.funds.roles import covers, ensure_covers, in_area
from services.funds.totals import moved_by
from shared import audit
from shared.auth import Principal
from shared.errors import Forbidden, NotFound


async def propose(session: AsyncSession, actor: Principal, data: ProjectCreate) -> Project:
    if not covers(actor, data.town_code, data.village_code):
        raise Forbidden(f"{data.town_code} is outside your area ({actor.area_code})")
    project = Project(
        year=data.year,
        kind=data.kind.value,
        name=data.name,
        description=data.description,
        town_code=data.town_code,
        village_code=data.village_code,
        planned_households=data.planned_households,
        budget_fen=data.budget,
        stage=Stage.proposed.value,
        applied_on=data.applied_on,
        proposed_by=actor.subject,
    )
    session.add(project)
    await session.flush()
    session.add(
        ProjectStage(
            project_id=project.id,
            stage=Stage.proposed.value,
            decided_on=data.applied_on,
            actor=actor.subject,
            actor_role=actor.role.value,
        )
    )
    await session.flush()
    await audit.record(
        session,
        actor,
        "project.propose",
        "project",
        project.id,
        area_code=data.village_code or data.town_code,
        after={**data.model_dump(mode="json"), "budget": format_fen(data.budget)},
    )
    return project


async def get_project(
    session: AsyncSession, actor: Principal, project_id: uuid.UUID, *, lock: bool = False
) -> Project:
    query = sa.select(Project).where(Project.id == project_id)
    if lock:
        query = query.with_for_update()
    project = await session.scalar(query)
    if project is None:
        raise NotFound("no such project")
    ensure_covers(actor, project.town_code, project.village_code, "project")
    return project


async def update(
    session: AsyncSession,
    actor: Principal,
    project_id: uuid.UUID,
    data: ProjectUpdate,
    check_version: Callable[[int], None],
) -> Project:
    project = await get_project(session, actor, project_id, lock=True)
    check_version(project.version)
    if Stage(project.stage) not in procedure.EDITABLE:
        raise ProcedureViolation(
            f"the project is {project.stage}: what the reviews saw can no longer change"
        )
    before = {
        "name": project.name,
        "description": project.description,
        "planned_households": project.planned_households,
        "budget": format_fen(project.budget_fen),
    }
    changes = data.model_dump(exclude_unset=True)
    if data.budget is not None:
        project.budget_fen = data.budget
    for name in ("name", "description", "planned_households"):
        if name in changes:
            setattr(project, name, changes[name])
    await session.flush()
    await audit.record(
        session,
        actor,
        "project.update",
        "project",
        project.id,
        area_code=project.village_code or project.town_code,
        before=before,
        after={**before, **{k: v for k, v in data.model_dump(mode="json").items() if k in changes}},
    )
    return project


async def record_stage(
    session: AsyncSession, actor: Principal, project_id: uuid.UUID, data: StageCreate
) -> Project:
    project = await get_project(session, actor, project_id, lock=True)
    current = Stage(project.stage)
    procedure.check_transition(actor, current, data.stage)
    last = await session.scalar(
        sa.select(ProjectStage)
        .where(ProjectStage.project_id == project.id)
        .order_by(ProjectStage.id.desc())
        .limit(1)
    )
    assert last is not None
    if data.decided_on < last.decided_on:
        raise ProcedureViolation(
            f"{data.stage.value} cannot be decided before {last.stage} ({last.decided_on})"
        )
    if last.notice_published_on is not None and last.notice_days is not None:
        ends = procedure.notice_ends(last.notice_published_on, last.notice_days)
        if data.decided_on < ends:
            raise ProcedureViolation(
                f"the {procedure.NOTICES[Stage(last.stage)]} of {last.stage} runs until "
                f"{ends}; {data.stage.value} cannot be decided before it has run",
                extra={"notice_ends_on": ends.isoformat()},
            )
    notice = data.notice
    session.add(
        ProjectStage(
            project_id=project.id,
            stage=data.stage.value,
            decided_on=data.decided_on,
            actor=actor.subject,
            actor_role=actor.role.value,
            note=data.note,
            notice_published_on=notice.published_on if notice else None,
            notice_days=notice.days if notice else None,
            notice_place=notice.place if notice else None,
            notice_text=notice.text if notice else None,
        )
    )
    project.stage = data.stage.value
    await session.flush()
    await audit.record(
        session,
        actor,
        f"project.stage.{data.stage.value}",
        "project",
        project.id,
        area_code=project.village_code or project.town_code,
        before={"stage": current.value},
        after={"stage": data.stage.value, **data.model_dump(mode="json", exclude={"stage"})},
    )
    return project


async def list_projects(
    session: AsyncSession,
    actor: Principal,
    *,
    year: int | None,
    town_code: str | None,
    village_code: str | None,
    kind: ProjectKind | None,
    stage: Stage | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Project]:
    query = (
        sa.select(Project)
        .where(in_area(actor, town=Project.town_code, village=Project.village_code))
        .order_by(Project.created_at, Project.id)
        .limit(limit)
    )
    filters = {
        Project.year: year,
        Project.town_code: town_code,
        Project.village_code: village_code,
        Project.kind: kind.value if kind else None,
        Project.stage: stage.value if stage else None,
    }
    for column, value in filters.items():
        if value is not None:
            query = query.where(column == value)
    if after is not None:
        query = query.where(sa.tuple_(Project.created_at, Project.id) > sa.tuple_(*after))
    return list((await session.scalars(query)).all())


def stage_read(row: ProjectStage) -> StageRead:
    notice = None
    if row.notice_published_on is not None and row.notice_days is not None:
        notice = NoticeRead(
            published_on=row.notice_published_on,
            days=row.notice_days,
            ends_on=procedure.notice_ends(row.notice_published_on, row.notice_days),
            place=row.notice_place or "",
            text=row.notice_text or "",
        )
    return StageRead(
        stage=Stage(row.stage),
        decided_on=row.decided_on,
        actor=row.actor,
        actor_role=row.actor_role,
        note=row.note,
        notice=notice,
        recorded_at=row.recorded_at,
    )


async def stages_of(
    session: AsyncSession, project_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ProjectStage]]:
    rows = await session.scalars(
        sa.select(ProjectStage)
        .where(ProjectStage.project_id.in_(project_ids))
        .order_by(ProjectStage.id)
    )
    grouped: dict[uuid.UUID, list[ProjectStage]] = defaultdict(list)
    for row in rows:
        grouped[row.project_id].append(row)
    return grouped


async def available_of(
    session: AsyncSession, project_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Allocated and not yet paid: the sum of the project's allocation balances."""
    pairs = (
        await session.execute(
            sa.select(Allocation.project_id, Allocation.account_id).where(
                Allocation.project_id.in_(project_ids)
            )
        )
    ).all()
    balances = await ledger.balances(session, [account for _, account in pairs])
    available: dict[uuid.UUID, int] = defaultdict(int)
    for project_id, account in pairs:
        available[project_id] += balances[account].balance
    return available


async def read_projects(session: AsyncSession, projects: Sequence[Project]) -> list[ProjectRead]:
    ids = [p.id for p in projects]
    moved = await moved_by(session, "project_id", ids)
    stages = await stages_of(session, ids)
    available = await available_of(session, ids)
    return [
        ProjectRead(
            id=p.id,
            year=p.year,
            kind=ProjectKind(p.kind),
            name=p.name,
            description=p.description,
            town_code=p.town_code,
            village_code=p.village_code,
            planned_households=p.planned_households,
            budget=p.budget_fen,
            stage=Stage(p.stage),
            applied_on=p.applied_on,
            proposed_by=p.proposed_by,
            version=p.version,
            allocated=moved[p.id].allocated,
            disbursed=moved[p.id].disbursed,
            available=available.get(p.id, 0),
            households_paid=moved[p.id].households_paid,
            stages=[stage_read(s) for s in stages.get(p.id, [])],
            created_at=p.created_at,
            updated_at=p.updated_at,
        )
        for p in projects
    ]
