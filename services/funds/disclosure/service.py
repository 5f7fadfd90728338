"""Public disclosure queries: only aggregates and procedure, never personal data."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.codes import FundKind, FundLevel, ProjectKind, Stage
from services.funds.disclosure.schemas import (
    PublicProject,
    PublicSource,
    PublicSourceShare,
    PublicStage,
    PublicVillage,
)
from services.funds.projects import service as projects
from services.funds.projects.models import Project
from services.funds.sources.models import FundSource
from services.funds.totals import moved_by, net_allocations, net_disbursements, standing
from shared.errors import NotFound


async def list_projects(
    session: AsyncSession,
    *,
    year: int | None,
    town_code: str | None,
    village_code: str | None,
    kind: ProjectKind | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Project]:
    query = sa.select(Project).order_by(Project.created_at, Project.id).limit(limit)
    for column, value in (
        (Project.year, year),
        (Project.town_code, town_code),
        (Project.village_code, village_code),
        (Project.kind, kind.value if kind else None),
    ):
        if value is not None:
            query = query.where(column == value)
    if after is not None:
        query = query.where(sa.tuple_(Project.created_at, Project.id) > sa.tuple_(*after))
    return list((await session.scalars(query)).all())


async def get_project(session: AsyncSession, project_id: uuid.UUID) -> Project:
    project = await session.get(Project, project_id)
    if project is None:
        raise NotFound("no such project")
    return project


async def public_projects(session: AsyncSession, rows: Sequence[Project]) -> list[PublicProject]:
    ids = [p.id for p in rows]
    moved = await moved_by(session, "project_id", ids)
    stages = await projects.stages_of(session, ids)
    alloc = net_allocations()
    shares: dict[uuid.UUID, list[PublicSourceShare]] = defaultdict(list)
    for project_id, source, total in await session.execute(
        sa.select(alloc.c.project_id, FundSource, sa.func.sum(alloc.c.amount_fen))
        .join(FundSource, FundSource.id == alloc.c.source_id)
        .where(alloc.c.project_id.in_(ids))
        .group_by(alloc.c.project_id, FundSource.id)
        .order_by(FundSource.year, FundSource.level, FundSource.name)
    ):
        shares[project_id].append(
            PublicSourceShare(
                level=FundLevel(source.level),
                kind=FundKind(source.kind),
                name=source.name,
                document_number=source.document_number,
                allocated=int(total),
            )
        )
    result = []
    for p in rows:
        public_stages = []
        for s in stages.get(p.id, []):
            read = projects.stage_read(s)
            public_stages.append(
                PublicStage(
                    stage=read.stage,
                    decided_on=read.decided_on,
                    decided_by_role=read.actor_role,
                    notice=read.notice,
                )
            )
        result.append(
            PublicProject(
                id=p.id,
                year=p.year,
                kind=ProjectKind(p.kind),
                name=p.name,
                town_code=p.town_code,
                village_code=p.village_code,
                planned_households=p.planned_households,
                budget=p.budget_fen,
                stage=Stage(p.stage),
                allocated=moved[p.id].allocated,
                disbursed=moved[p.id].disbursed,
                households_paid=moved[p.id].households_paid,
                sources=shares.get(p.id, []),
                stages=public_stages,
            )
        )
    return result


async def villages(
    session: AsyncSession, *, year: int | None, town_code: str | None
) -> list[PublicVillage]:
    """Totals per village of the projects located there (town-wide projects apart)."""
    where = []
    if year is not None:
        where.append(Project.year == year)
    if town_code is not None:
        where.append(Project.town_code == town_code)
    key = (Project.town_code, Project.village_code)
    budgets = {
        (t, v): (int(n), int(b))
        for t, v, n, b in await session.execute(
            sa.select(*key, sa.func.count(), sa.func.sum(Project.budget_fen))
            .where(*where)
            .group_by(*key)
        )
    }
    alloc, disb = net_allocations(), net_disbursements()
    allocated = {
        (t, v): int(a)
        for t, v, a in await session.execute(
            sa.select(*key, sa.func.sum(alloc.c.amount_fen))
            .join(Project, Project.id == alloc.c.project_id)
            .where(*where)
            .group_by(*key)
        )
    }
    paid = {
        (t, v): (int(a), int(h))
        for t, v, a, h in await session.execute(
            sa.select(
                *key,
                sa.func.sum(disb.c.amount_fen),
                sa.func.count(sa.distinct(disb.c.household_id)),
            )
            .join(Project, Project.id == disb.c.project_id)
            .where(*where)
            .group_by(*key)
        )
    }
    return [
        PublicVillage(
            town_code=t,
            village_code=v,
            projects=budgets[(t, v)][0],
            budget=budgets[(t, v)][1],
            allocated=allocated.get((t, v), 0),
            disbursed=paid.get((t, v), (0, 0))[0],
            households_paid=paid.get((t, v), (0, 0))[1],
        )
        for t, v in sorted(budgets, key=lambda k: (k[0], k[1] or ""))
    ]


async def sources(session: AsyncSession, *, year: int | None) -> list[PublicSource]:
    query = (
        sa.select(FundSource)
        .where(standing(FundSource.funding_txn_id))
        .order_by(FundSource.year, FundSource.level, FundSource.name)
    )
    if year is not None:
        query = query.where(FundSource.year == year)
    rows = list((await session.scalars(query)).all())
    moved = await moved_by(session, "source_id", [s.id for s in rows])
    return [
        PublicSource(
            id=s.id,
            year=s.year,
            level=FundLevel(s.level),
            kind=FundKind(s.kind),
            name=s.name,
            document_number=s.document_number,
            amount=s.amount_fen,
            allocated=moved[s.id].allocated,
            disbursed=moved[s.id].disbursed,
        )
        for s in rows
    ]
