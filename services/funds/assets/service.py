"""Assets and their income: recorded on the ledger, distributed no-labour households first.

Each asset's income of a year has its own ledger account, so a year's distributions can
never exceed that year's income: the database refuses it as it refuses any overdraft.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.assets.models import AssetIncome, IncomeDistribution, ProjectAsset
from services.funds.assets.schemas import (
    AssetCreate,
    AssetRead,
    DistributionCreate,
    DistributionResult,
    IncomeCreate,
    IncomeYear,
    SharePaid,
    ShareUnpaid,
)
from services.funds.clients import HouseholdFacts, RegistryClient
from services.funds.codes import ProjectKind, Stage
from services.funds.errors import InsufficientFunds, NoCard, PayeeRefused, StageRequired
from services.funds.ledger import service as ledger
from services.funds.ledger.models import AccountKind, LedgerAccount, Side, TxnKind
from services.funds.money import format_fen
from services.funds.payees import service as payees
from services.funds.projects import service as projects
from services.funds.roles import in_area
from services.funds.totals import standing
from shared import audit
from shared.auth import Principal
from shared.errors import Conflict, FieldError, InvalidInput, NotFound


async def register_asset(
    session: AsyncSession, actor: Principal, project_id: uuid.UUID, data: AssetCreate
) -> ProjectAsset:
    project = await projects.get_project(session, actor, project_id)
    if Stage(project.stage) is not Stage.accepted:
        raise StageRequired(f"the project is {project.stage}: assets form once it is accepted")
    village = data.village_code or project.village_code
    if village is None or not village.startswith(project.town_code):
        raise InvalidInput(
            "an asset belongs to a village collective of the project's town",
            errors=[FieldError(("body", "village_code"), "a village of the project's town")],
        )
    asset = ProjectAsset(
        project_id=project.id,
        name=data.name,
        kind=data.kind.value,
        value_fen=data.value,
        town_code=project.town_code,
        village_code=village,
        formed_on=data.formed_on,
        created_by=actor.subject,
    )
    session.add(asset)
    await session.flush()
    await audit.record(
        session,
        actor,
        "asset.register",
        "project_asset",
        asset.id,
        area_code=village,
        after={**data.model_dump(mode="json"), "value": format_fen(data.value)},
    )
    return asset


async def get_asset(session: AsyncSession, actor: Principal, asset_id: uuid.UUID) -> ProjectAsset:
    asset = await session.scalar(
        sa.select(ProjectAsset).where(
            ProjectAsset.id == asset_id,
            in_area(actor, town=ProjectAsset.town_code, village=ProjectAsset.village_code),
        )
    )
    if asset is None:
        raise NotFound("no such asset")
    return asset


def _income_ref(asset_id: uuid.UUID, year: int) -> str:
    return f"{asset_id}:{year}"


async def record_income(
    session: AsyncSession, actor: Principal, asset_id: uuid.UUID, data: IncomeCreate
) -> AssetIncome:
    asset = await get_asset(session, actor, asset_id)
    income_account = await ledger.open_account(
        session, AccountKind.asset_income, _income_ref(asset.id, data.year)
    )
    revenue = await ledger.open_account(session, AccountKind.asset_revenue, str(asset.id))
    txn = await ledger.post(
        session,
        actor,
        kind=TxnKind.income,
        occurred_on=data.received_on,
        memo=f"{asset.name} income {data.year}",
        lines=[
            ledger.Line(income_account, Side.debit, data.amount),
            ledger.Line(revenue, Side.credit, data.amount),
        ],
    )
    income = AssetIncome(
        asset_id=asset.id,
        year=data.year,
        amount_fen=data.amount,
        received_on=data.received_on,
        account_id=income_account,
        txn_id=txn.id,
        created_by=actor.subject,
    )
    session.add(income)
    await session.flush()
    await audit.record(
        session,
        actor,
        "asset.income",
        "project_asset",
        asset.id,
        area_code=asset.village_code,
        after={**data.model_dump(mode="json"), "amount": format_fen(data.amount), "txn_id": txn.id},
    )
    return income


async def _households(
    registry: RegistryClient, ids: Sequence[uuid.UUID], token: str, year: int
) -> list[HouseholdFacts | None]:
    limit = asyncio.Semaphore(8)

    async def one(household_id: uuid.UUID) -> HouseholdFacts | None:
        async with limit:
            return await registry.household(household_id, token=token, year=year)

    return list(await asyncio.gather(*(one(i) for i in ids)))


async def distribute(
    session: AsyncSession,
    actor: Principal,
    asset_id: uuid.UUID,
    data: DistributionCreate,
    *,
    registry: RegistryClient,
    token: str,
) -> DistributionResult:
    asset = await get_asset(session, actor, asset_id)
    code = f"{AccountKind.asset_income.value}:{_income_ref(asset.id, data.year)}"
    income_account = await session.scalar(
        sa.select(LedgerAccount.id).where(LedgerAccount.code == code)
    )
    if income_account is None:
        raise Conflict(f"no income of {data.year} is recorded for asset {asset.id}")

    facts = await _households(registry, data.households, token, data.year)
    refused: list[FieldError] = []
    for index, (household_id, found) in enumerate(zip(data.households, facts, strict=True)):
        loc = ("body", "households", index)
        if found is None:
            refused.append(FieldError(loc, f"{household_id}: no such household in your area"))
        elif found.village_code != asset.village_code:
            refused.append(FieldError(loc, f"{household_id}: not of village {asset.village_code}"))
        elif not found.targeted:
            refused.append(FieldError(loc, f"{household_id}: status {found.status} is not poor"))
    if refused:
        raise PayeeRefused(
            "income goes to poor households of the asset's village: "
            + "; ".join(e.msg for e in refused),
            errors=refused,
        )
    cards = {i: await payees.current_card(session, i) for i in data.households}
    missing = [
        FieldError(("body", "households", n), f"{i}: no 一卡通 account")
        for n, i in enumerate(data.households)
        if cards[i] is None
    ]
    if missing:
        raise NoCard("every household needs a 一卡通 account on file", errors=missing)

    ordered = sorted(
        (f for f in facts if f is not None), key=lambda f: not f.without_labour
    )  # stable: no-labour households first, then the order given
    left = (await ledger.balances(session, [income_account], lock=True))[income_account].balance
    if left < data.share:
        raise InsufficientFunds(
            f"the {data.year} income of asset {asset.name}", left, data.share, "share"
        )
    batch = uuid.uuid4()
    paid: list[SharePaid] = []
    unpaid: list[ShareUnpaid] = []
    for household in ordered:
        if left < data.share:
            unpaid.append(
                ShareUnpaid(
                    household_id=household.id,
                    without_labour=household.without_labour,
                    reason="the year's income is used up",
                )
            )
            continue
        card = cards[household.id]
        assert card is not None
        account = await ledger.open_account(session, AccountKind.household, str(household.id))
        txn = await ledger.post(
            session,
            actor,
            kind=TxnKind.distribution,
            occurred_on=data.paid_on,
            memo=f"{asset.name} income {data.year} share",
            lines=[
                ledger.Line(account, Side.debit, data.share),
                ledger.Line(income_account, Side.credit, data.share),
            ],
            field="share",
        )
        session.add(
            IncomeDistribution(
                asset_id=asset.id,
                year=data.year,
                batch_id=batch,
                household_id=household.id,
                without_labour=household.without_labour,
                amount_fen=data.share,
                card_id=card.id,
                paid_on=data.paid_on,
                payee_account_id=account,
                txn_id=txn.id,
                created_by=actor.subject,
            )
        )
        left -= data.share
        paid.append(
            SharePaid(
                household_id=household.id,
                without_labour=household.without_labour,
                amount=data.share,
                card_masked=card.card_masked,
                txn_id=txn.id,
            )
        )
    await session.flush()
    result = DistributionResult(
        batch_id=batch,
        asset_id=asset.id,
        year=data.year,
        share=data.share,
        paid=paid,
        unpaid=unpaid,
        remaining=left,
    )
    await audit.record(
        session,
        actor,
        "asset.distribute",
        "project_asset",
        asset.id,
        area_code=asset.village_code,
        after=result.model_dump(mode="json", exclude={"paid", "unpaid"})
        | {"paid": len(paid), "unpaid": len(unpaid)},
    )
    return result


async def list_assets(
    session: AsyncSession,
    actor: Principal,
    *,
    project_id: uuid.UUID | None,
    village_code: str | None,
    limit: int,
) -> list[ProjectAsset]:
    query = (
        sa.select(ProjectAsset)
        .where(in_area(actor, town=ProjectAsset.town_code, village=ProjectAsset.village_code))
        .order_by(ProjectAsset.created_at, ProjectAsset.id)
        .limit(limit)
    )
    if project_id is not None:
        query = query.where(ProjectAsset.project_id == project_id)
    if village_code is not None:
        query = query.where(ProjectAsset.village_code == village_code)
    return list((await session.scalars(query)).all())


async def read_assets(session: AsyncSession, assets: Sequence[ProjectAsset]) -> list[AssetRead]:
    ids = [a.id for a in assets]
    income = (
        await session.execute(
            sa.select(AssetIncome.asset_id, AssetIncome.year, sa.func.sum(AssetIncome.amount_fen))
            .where(AssetIncome.asset_id.in_(ids), standing(AssetIncome.txn_id))
            .group_by(AssetIncome.asset_id, AssetIncome.year)
        )
    ).all()
    shared_out = {
        (a, y): int(t)
        for a, y, t in (
            await session.execute(
                sa.select(
                    IncomeDistribution.asset_id,
                    IncomeDistribution.year,
                    sa.func.sum(IncomeDistribution.amount_fen),
                )
                .where(IncomeDistribution.asset_id.in_(ids), standing(IncomeDistribution.txn_id))
                .group_by(IncomeDistribution.asset_id, IncomeDistribution.year)
            )
        )
    }
    years: dict[uuid.UUID, list[IncomeYear]] = defaultdict(list)
    for asset_id, year, total in sorted(income, key=lambda r: (str(r[0]), r[1])):
        out = shared_out.get((asset_id, year), 0)
        years[asset_id].append(
            IncomeYear(
                year=year, income=int(total), distributed=out, undistributed=int(total) - out
            )
        )
    return [
        AssetRead(
            id=a.id,
            project_id=a.project_id,
            name=a.name,
            kind=ProjectKind(a.kind),
            value=a.value_fen,
            town_code=a.town_code,
            village_code=a.village_code,
            formed_on=a.formed_on,
            incomes=years.get(a.id, []),
            created_by=a.created_by,
            created_at=a.created_at,
        )
        for a in assets
    ]
