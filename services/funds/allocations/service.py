"""Allocations: a source's money earmarked for an approved project, within its budget."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.allocations.models import Allocation
from services.funds.allocations.schemas import AllocationCreate, AllocationRead, ReversalCreate
from services.funds.codes import Stage
from services.funds.disbursements.models import Disbursement
from services.funds.errors import OverBudget, ProcedureViolation, StageRequired
from services.funds.ledger import service as ledger
from services.funds.ledger.models import AccountKind, LedgerTxn, Side, TxnKind
from services.funds.money import format_fen
from services.funds.projects import procedure
from services.funds.projects import service as projects
from services.funds.projects.models import Project
from services.funds.roles import in_area
from services.funds.sources.models import FundSource
from services.funds.totals import pairs, standing
from shared import audit
from shared.auth import Principal
from shared.errors import FieldError, NotFound


async def create_allocation(
    session: AsyncSession, actor: Principal, data: AllocationCreate
) -> Allocation:
    source = await session.get(FundSource, data.source_id)
    if source is None:
        raise NotFound("no such fund source", errors=[FieldError(("body", "source_id"), "unknown")])
    project = await projects.get_project(session, actor, data.project_id, lock=True)
    if Stage(project.stage) not in procedure.ALLOCATABLE:
        raise StageRequired(
            f"the project is {project.stage}: money is allocated once the district approved it "
            "(区审批)",
            errors=[FieldError(("body", "project_id"), f"project stage is {project.stage}")],
        )
    if data.allocated_on < source.received_on:
        raise ProcedureViolation(
            f"the source was received on {source.received_on}; it cannot be allocated earlier",
            errors=[FieldError(("body", "allocated_on"), "before the source was received")],
        )
    # The project row is locked, so two allocations to one project cannot both fit.
    allocated = int(
        await session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Allocation.amount_fen), 0)).where(
                Allocation.project_id == project.id, standing(Allocation.txn_id)
            )
        )
        or 0
    )
    if allocated + data.amount > project.budget_fen:
        left = project.budget_fen - allocated
        raise OverBudget(
            f"the project's budget is {format_fen(project.budget_fen)} and "
            f"{format_fen(allocated)} is allocated; at most {format_fen(left)} more fits",
            errors=[
                FieldError(("body", "amount"), f"exceeds the {format_fen(left)} left in budget")
            ],
            extra={"budget_left": format_fen(left)},
        )
    allocation_id = uuid.uuid4()
    account = await ledger.open_account(session, AccountKind.allocation, str(allocation_id))
    txn = await ledger.start(
        session,
        actor,
        kind=TxnKind.allocation,
        occurred_on=data.allocated_on,
        memo=f"{source.name} → {project.name}",
    )
    allocation = Allocation(
        id=allocation_id,
        source_id=source.id,
        project_id=project.id,
        amount_fen=data.amount,
        document_number=data.document_number,
        allocated_on=data.allocated_on,
        account_id=account,
        txn_id=txn.id,
        created_by=actor.subject,
    )
    session.add(allocation)
    await session.flush()
    await audit.record(
        session,
        actor,
        "allocation.create",
        "allocation",
        allocation.id,
        area_code=project.village_code or project.town_code,
        after={**data.model_dump(mode="json"), "amount": format_fen(data.amount), "txn_id": txn.id},
    )
    # Last: the source stays locked only for the entries and the commit.
    await ledger.book(
        session,
        txn,
        [
            ledger.Line(account, Side.debit, data.amount),
            ledger.Line(source.account_id, Side.credit, data.amount),
        ],
        names={source.account_id: f"source {source.name} ({source.document_number})"},
    )
    return allocation


async def get_allocation(
    session: AsyncSession, actor: Principal, allocation_id: uuid.UUID
) -> tuple[Allocation, Project]:
    row = (
        await session.execute(
            sa.select(Allocation, Project)
            .join(Project, Project.id == Allocation.project_id)
            .where(
                Allocation.id == allocation_id,
                in_area(actor, town=Project.town_code, village=Project.village_code),
            )
        )
    ).first()
    if row is None:
        raise NotFound("no such allocation")
    return row[0], row[1]


async def reverse_allocation(
    session: AsyncSession, actor: Principal, allocation_id: uuid.UUID, data: ReversalCreate
) -> Allocation:
    allocation, project = await get_allocation(session, actor, allocation_id)
    await ledger.reverse(
        session,
        actor,
        allocation.txn_id,
        occurred_on=data.reversed_on,
        reason=data.reason,
        names={allocation.account_id: f"allocation {allocation.id}"},
        area_code=project.village_code or project.town_code,
    )
    return allocation


async def list_allocations(
    session: AsyncSession,
    actor: Principal,
    *,
    project_id: uuid.UUID | None,
    source_id: uuid.UUID | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Allocation]:
    query = (
        sa.select(Allocation)
        .join(Project, Project.id == Allocation.project_id)
        .where(in_area(actor, town=Project.town_code, village=Project.village_code))
        .order_by(Allocation.created_at, Allocation.id)
        .limit(limit)
    )
    if project_id is not None:
        query = query.where(Allocation.project_id == project_id)
    if source_id is not None:
        query = query.where(Allocation.source_id == source_id)
    if after is not None:
        query = query.where(sa.tuple_(Allocation.created_at, Allocation.id) > sa.tuple_(*after))
    return list((await session.scalars(query)).all())


async def read_allocations(
    session: AsyncSession, allocations: Sequence[Allocation]
) -> list[AllocationRead]:
    ids = [a.id for a in allocations]
    balances = await ledger.balances(session, [a.account_id for a in allocations])
    paid = await pairs(
        session,
        sa.select(Disbursement.allocation_id, sa.func.sum(Disbursement.amount_fen))
        .where(Disbursement.allocation_id.in_(ids), standing(Disbursement.txn_id))
        .group_by(Disbursement.allocation_id),
    )
    reversals = await pairs(
        session,
        sa.select(LedgerTxn.reverses_id, LedgerTxn.id).where(
            LedgerTxn.reverses_id.in_([a.txn_id for a in allocations])
        ),
    )
    return [
        AllocationRead(
            id=a.id,
            source_id=a.source_id,
            project_id=a.project_id,
            amount=a.amount_fen,
            allocated_on=a.allocated_on,
            document_number=a.document_number,
            available=balances[a.account_id].balance,
            disbursed=int(paid.get(a.id) or 0),
            reversed=a.txn_id in reversals,
            reversal_txn_id=reversals.get(a.txn_id),
            account_id=a.account_id,
            txn_id=a.txn_id,
            created_by=a.created_by,
            created_at=a.created_at,
        )
        for a in allocations
    ]
