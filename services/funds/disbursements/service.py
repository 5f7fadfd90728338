"""Disbursements: every check before any money moves, then one ledger transaction.

Order: the allocation and its project (area, accepted), the payee (registry: exists, in
the caller's area and the project's; a 一卡通 on file), the reason (eligibility computes
the same amount; an invoice not overpaid), and only then the ledger, which locks the
allocation and refuses what does not fit. Network calls happen before any row is locked.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.allocations import service as allocations
from services.funds.allocations.schemas import ReversalCreate
from services.funds.clients import EligibilityClient, RegistryClient
from services.funds.codes import PayeeKind, Stage
from services.funds.disbursements.models import Disbursement
from services.funds.disbursements.reasons import check_invoice, check_subsidy
from services.funds.disbursements.schemas import (
    DisbursementCreate,
    DisbursementRead,
    HouseholdPayee,
    PayeeRead,
    SubsidyReason,
)
from services.funds.errors import PayeeRefused, ProcedureViolation, StageRequired
from services.funds.ledger import service as ledger
from services.funds.ledger.models import AccountKind, LedgerTxn, Side, TxnKind
from services.funds.money import format_fen
from services.funds.payees import service as payees
from services.funds.payees.models import HouseholdCard
from services.funds.projects.models import Project, ProjectStage
from services.funds.roles import in_area
from services.funds.totals import pairs
from shared import audit
from shared.auth import Principal
from shared.errors import FieldError, NotFound


async def disburse(
    session: AsyncSession,
    actor: Principal,
    data: DisbursementCreate,
    *,
    token: str,
    registry: RegistryClient,
    eligibility: EligibilityClient | None,
) -> DisbursementRead:
    allocation, project = await allocations.get_allocation(session, actor, data.allocation_id)
    if Stage(project.stage) is not Stage.accepted:
        raise StageRequired(
            f"the project is {project.stage}: it is paid only after acceptance (验收)",
            errors=[FieldError(("body", "allocation_id"), f"project stage is {project.stage}")],
        )
    accepted_on = await session.scalar(
        sa.select(ProjectStage.decided_on).where(
            ProjectStage.project_id == project.id, ProjectStage.stage == Stage.accepted.value
        )
    )
    if accepted_on is not None and data.paid_on < accepted_on:
        raise ProcedureViolation(
            f"the project was accepted on {accepted_on}; it cannot be paid earlier",
            errors=[FieldError(("body", "paid_on"), "before acceptance")],
        )

    card: HouseholdCard | None = None
    village_code: str | None = project.village_code
    reason: dict[str, Any]
    if isinstance(data.payee, HouseholdPayee):
        household_id = data.payee.household_id
        household = await registry.household(household_id, token=token)
        if household is None:
            raise payees.unknown_household(household_id, ("body", "payee", "household_id"))
        if household.town_code != project.town_code or (
            project.village_code is not None and household.village_code != project.village_code
        ):
            raise PayeeRefused(
                f"household {household_id} lives in {household.village_code}, outside the "
                f"project's area ({project.village_code or project.town_code})",
                errors=[
                    FieldError(("body", "payee", "household_id"), "outside the project's area")
                ],
            )
        if not household.targeted:
            raise PayeeRefused(
                f"household {household_id} has status {household.status}: poverty funds go to "
                "registered poor households (and those exited with policies unchanged)",
                errors=[FieldError(("body", "payee", "household_id"), "not a poor household")],
            )
        assert isinstance(data.reason, SubsidyReason)
        claimed = data.reason.facts.get("targeted")
        if claimed is not None and claimed is not household.targeted:
            raise PayeeRefused(
                "the facts say targeted="
                f"{claimed} but the registry says {household.targeted} for household "
                f"{household_id}",
                errors=[
                    FieldError(("body", "reason", "facts", "targeted"), "contradicts registry")
                ],
            )
        card = await payees.require_card(session, household_id)
        reason = await check_subsidy(data.reason, data.amount, eligibility=eligibility, token=token)
        village_code = household.village_code
        payee_account = await ledger.open_account(session, AccountKind.household, str(household_id))
    else:
        payee_account = await ledger.open_account(
            session, AccountKind.contractor, data.payee.credit_code
        )
        reason = await check_invoice(session, data)

    txn = await ledger.start(
        session,
        actor,
        kind=TxnKind.disbursement,
        occurred_on=data.paid_on,
        memo=f"{project.name}: {data.reason.kind} to {data.payee.kind}",
    )
    contractor = data.payee if data.payee.kind == "contractor" else None
    disbursement = Disbursement(
        allocation_id=allocation.id,
        project_id=project.id,
        amount_fen=data.amount,
        paid_on=data.paid_on,
        payee_kind=data.payee.kind,
        household_id=card.household_id if card else None,
        card_id=card.id if card else None,
        contractor_name=contractor.name if contractor else None,
        contractor_code=contractor.credit_code if contractor else None,
        contractor_bank_account=contractor.bank_account if contractor else None,
        reason_kind=data.reason.kind,
        benefit_code=data.reason.benefit_code if data.reason.kind == "subsidy" else None,
        invoice_number=data.reason.invoice_number if data.reason.kind == "invoice" else None,
        reason=reason,
        town_code=project.town_code,
        village_code=village_code,
        payee_account_id=payee_account,
        txn_id=txn.id,
        created_by=actor.subject,
    )
    session.add(disbursement)
    await session.flush()
    await audit.record(
        session,
        actor,
        "disbursement.create",
        "disbursement",
        disbursement.id,
        area_code=village_code or project.town_code,
        after={
            "allocation_id": str(allocation.id),
            "amount": format_fen(data.amount),
            "payee_kind": data.payee.kind,
            "household_id": str(card.household_id) if card else None,
            "card": card.card_masked if card else None,
            "reason_kind": data.reason.kind,
            "txn_id": txn.id,
        },
    )
    # Last, so the allocation stays locked only for the entries and the commit.
    await ledger.book(
        session,
        txn,
        [
            ledger.Line(payee_account, Side.debit, data.amount),
            ledger.Line(allocation.account_id, Side.credit, data.amount),
        ],
        names={allocation.account_id: f"allocation {allocation.id}"},
    )
    return read_new(disbursement, card)


async def get_disbursement(
    session: AsyncSession, actor: Principal, disbursement_id: uuid.UUID
) -> Disbursement:
    found = await session.scalar(
        sa.select(Disbursement)
        .join(Project, Project.id == Disbursement.project_id)
        .where(
            Disbursement.id == disbursement_id,
            in_area(actor, town=Project.town_code, village=Project.village_code),
        )
    )
    if found is None:
        raise NotFound("no such disbursement")
    return found


async def reverse(
    session: AsyncSession, actor: Principal, disbursement_id: uuid.UUID, data: ReversalCreate
) -> Disbursement:
    """退回: the bank returned the payment, or it was wrong; the money goes back to the
    allocation it came from."""
    disbursement = await get_disbursement(session, actor, disbursement_id)
    await ledger.reverse(
        session,
        actor,
        disbursement.txn_id,
        occurred_on=data.reversed_on,
        reason=data.reason,
        area_code=disbursement.village_code or disbursement.town_code,
    )
    return disbursement


async def list_disbursements(
    session: AsyncSession,
    actor: Principal,
    *,
    project_id: uuid.UUID | None,
    allocation_id: uuid.UUID | None,
    household_id: uuid.UUID | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Disbursement]:
    query = (
        sa.select(Disbursement)
        .join(Project, Project.id == Disbursement.project_id)
        .where(in_area(actor, town=Project.town_code, village=Project.village_code))
        .order_by(Disbursement.created_at, Disbursement.id)
        .limit(limit)
    )
    for column, value in (
        (Disbursement.project_id, project_id),
        (Disbursement.allocation_id, allocation_id),
        (Disbursement.household_id, household_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if after is not None:
        query = query.where(sa.tuple_(Disbursement.created_at, Disbursement.id) > sa.tuple_(*after))
    return list((await session.scalars(query)).all())


def read_new(disbursement: Disbursement, card: HouseholdCard | None) -> DisbursementRead:
    """The answer to a payment just made: nothing to look up, it cannot be reversed yet."""
    return _read(disbursement, card, None)


def _read(d: Disbursement, card: HouseholdCard | None, reversal: int | None) -> DisbursementRead:
    return DisbursementRead(
        id=d.id,
        allocation_id=d.allocation_id,
        project_id=d.project_id,
        amount=d.amount_fen,
        paid_on=d.paid_on,
        payee=PayeeRead(
            kind=PayeeKind(d.payee_kind),
            household_id=d.household_id,
            card_id=d.card_id,
            card_masked=card.card_masked if card else None,
            bank=card.bank if card else None,
            name=d.contractor_name,
            credit_code=d.contractor_code,
            bank_account=d.contractor_bank_account,
        ),
        reason=d.reason,
        town_code=d.town_code,
        village_code=d.village_code,
        reversed=reversal is not None,
        reversal_txn_id=reversal,
        txn_id=d.txn_id,
        created_by=d.created_by,
        created_at=d.created_at,
    )


async def read_disbursements(
    session: AsyncSession, rows: Sequence[Disbursement]
) -> list[DisbursementRead]:
    reversals = await pairs(
        session,
        sa.select(LedgerTxn.reverses_id, LedgerTxn.id).where(
            LedgerTxn.reverses_id.in_([d.txn_id for d in rows])
        ),
    )
    card_ids = [d.card_id for d in rows if d.card_id is not None]
    cards = {
        c.id: c
        for c in (
            await session.scalars(sa.select(HouseholdCard).where(HouseholdCard.id.in_(card_ids)))
        ).all()
    }
    return [
        _read(d, cards.get(d.card_id) if d.card_id else None, reversals.get(d.txn_id)) for d in rows
    ]
