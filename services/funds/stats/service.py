"""Aggregates for the reporting service and officials: all computed in SQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.assets.models import AssetIncome, IncomeDistribution, ProjectAsset
from services.funds.codes import FundKind, Stage
from services.funds.money import ratio
from services.funds.projects.models import Project
from services.funds.roles import in_area
from services.funds.sources.models import FundSource
from services.funds.stats.schemas import (
    SOURCE_SIDE,
    AssetVillage,
    Execution,
    ExecutionRow,
    GroupBy,
    IntegratedFundsYear,
)
from services.funds.totals import net_allocations, net_disbursements, standing
from shared.auth import AreaLevel, Principal


def _key(group_by: GroupBy) -> sa.ColumnElement[Any]:
    columns: dict[GroupBy, sa.ColumnElement[Any]] = {
        GroupBy.source: sa.cast(FundSource.id, sa.String),
        GroupBy.level: FundSource.level.expression,
        GroupBy.fund_kind: FundSource.kind.expression,
        GroupBy.year: sa.cast(FundSource.year, sa.String),
        GroupBy.project_kind: Project.kind.expression,
        GroupBy.town: Project.town_code.expression,
        GroupBy.village: Project.village_code.expression,
    }
    return columns[group_by]


async def execution(
    session: AsyncSession,
    actor: Principal,
    group_by: GroupBy,
    *,
    year: int | None,
    town_code: str | None,
) -> Execution:
    """Allocated, disbursed and the execution rate per group; `year` is the budget year."""
    key = _key(group_by)
    where: list[sa.ColumnElement[bool]] = [
        in_area(actor, town=Project.town_code, village=Project.village_code)
    ]
    if year is not None:
        where.append(FundSource.year == year)
    if town_code is not None:
        where.append(Project.town_code == town_code)

    sums: dict[str | None, dict[str, int]] = {}
    for name, moved in (("allocated", net_allocations()), ("disbursed", net_disbursements())):
        query = (
            sa.select(key, sa.func.sum(moved.c.amount_fen), sa.func.count(sa.distinct(Project.id)))
            .select_from(moved)
            .join(FundSource, FundSource.id == moved.c.source_id)
            .join(Project, Project.id == moved.c.project_id)
            .where(*where)
            .group_by(key)
        )
        for k, total, projects in await session.execute(query):
            row = sums.setdefault(k, {"allocated": 0, "disbursed": 0, "projects": 0})
            row[name] = int(total)
            row["projects"] = max(row["projects"], int(projects))

    bases: dict[str | None, int] = {}
    if group_by in SOURCE_SIDE and actor.level is AreaLevel.district and town_code is None:
        query = sa.select(key, sa.func.sum(FundSource.amount_fen)).where(
            standing(FundSource.funding_txn_id)
        )
        if year is not None:
            query = query.where(FundSource.year == year)
        bases = {k: int(v) for k, v in await session.execute(query.group_by(key))}
    elif group_by not in SOURCE_SIDE:
        project_where = [
            in_area(actor, town=Project.town_code, village=Project.village_code),
            Project.stage != Stage.rejected.value,
        ]
        if year is not None:
            project_where.append(Project.year == year)
        if town_code is not None:
            project_where.append(Project.town_code == town_code)
        bases = {
            k: int(v)
            for k, v in await session.execute(
                sa.select(key, sa.func.sum(Project.budget_fen)).where(*project_where).group_by(key)
            )
        }

    rows = []
    for k in sorted(set(sums) | set(bases), key=lambda v: (v is None, str(v))):
        moved_row = sums.get(k, {"allocated": 0, "disbursed": 0, "projects": 0})
        base = bases.get(k)
        rows.append(
            ExecutionRow(
                key=k,
                appropriated=base if group_by in SOURCE_SIDE else None,
                budget=base if group_by not in SOURCE_SIDE else None,
                allocated=moved_row["allocated"],
                disbursed=moved_row["disbursed"],
                execution_rate=ratio(moved_row["disbursed"], moved_row["allocated"]),
                projects=moved_row["projects"],
            )
        )
    allocated = sum(r.allocated for r in rows)
    disbursed = sum(r.disbursed for r in rows)
    return Execution(
        group_by=group_by,
        year=year,
        rows=rows,
        total_allocated=allocated,
        total_disbursed=disbursed,
        execution_rate=ratio(disbursed, allocated),
    )


async def integrated_funds(session: AsyncSession, *, year: int | None) -> list[IntegratedFundsYear]:
    """The 20 % rule per budget year, over the integrated agricultural sources that stand."""
    integrated = [FundSource.kind == FundKind.integrated_agricultural.value]
    if year is not None:
        integrated.append(FundSource.year == year)
    amounts = {
        int(y): (int(n), int(a), int(e))
        for y, n, a, e in await session.execute(
            sa.select(
                FundSource.year,
                sa.func.count(),
                sa.func.sum(FundSource.amount_fen),
                sa.func.sum(FundSource.exempt_fen),
            )
            .where(*integrated, standing(FundSource.funding_txn_id))
            .group_by(FundSource.year)
        )
    }
    moved: dict[int, dict[str, int]] = {}
    for name, sub in (("allocated", net_allocations()), ("disbursed", net_disbursements())):
        query = (
            sa.select(FundSource.year, sa.func.sum(sub.c.amount_fen))
            .select_from(sub)
            .join(FundSource, FundSource.id == sub.c.source_id)
            .where(*integrated)
            .group_by(FundSource.year)
        )
        for y, total in await session.execute(query):
            moved.setdefault(int(y), {})[name] = int(total)
    result = []
    for y in sorted(amounts):
        count, amount, exempt = amounts[y]
        base = amount - exempt
        required = -(-base * 20 // 100)  # ceil, in whole fen
        allocated = moved.get(y, {}).get("allocated", 0)
        result.append(
            IntegratedFundsYear(
                year=y,
                sources=count,
                amount=amount,
                exempt=exempt,
                base=base,
                required=required,
                allocated=allocated,
                disbursed=moved.get(y, {}).get("disbursed", 0),
                share=ratio(allocated, base),
                compliant=allocated >= required,
                shortfall=max(required - allocated, 0),
            )
        )
    return result


async def assets_by_village(
    session: AsyncSession, actor: Principal, *, year: int | None, town_code: str | None
) -> list[AssetVillage]:
    """Assets, their income of `year` (all years without it) and its distribution."""
    scope = [in_area(actor, town=ProjectAsset.town_code, village=ProjectAsset.village_code)]
    if town_code is not None:
        scope.append(ProjectAsset.town_code == town_code)
    village = (ProjectAsset.town_code, ProjectAsset.village_code)
    base = {
        (t, v): (int(n), int(value))
        for t, v, n, value in await session.execute(
            sa.select(*village, sa.func.count(), sa.func.sum(ProjectAsset.value_fen))
            .where(*scope)
            .group_by(*village)
        )
    }
    income_q = (
        sa.select(*village, sa.func.sum(AssetIncome.amount_fen))
        .join(ProjectAsset, ProjectAsset.id == AssetIncome.asset_id)
        .where(*scope, standing(AssetIncome.txn_id))
    )
    shares_q = (
        sa.select(
            *village,
            sa.func.sum(IncomeDistribution.amount_fen),
            sa.func.count(sa.distinct(IncomeDistribution.household_id)),
            sa.func.count(sa.distinct(IncomeDistribution.household_id)).filter(
                IncomeDistribution.without_labour
            ),
        )
        .join(ProjectAsset, ProjectAsset.id == IncomeDistribution.asset_id)
        .where(*scope, standing(IncomeDistribution.txn_id))
    )
    if year is not None:
        income_q = income_q.where(AssetIncome.year == year)
        shares_q = shares_q.where(IncomeDistribution.year == year)
    income = {(t, v): int(s) for t, v, s in await session.execute(income_q.group_by(*village))}
    shares = {
        (t, v): (int(s), int(h), int(w))
        for t, v, s, h, w in await session.execute(shares_q.group_by(*village))
    }
    rows = []
    for t, v in sorted(base):
        n, value = base[(t, v)]
        got = income.get((t, v), 0)
        out, households, without = shares.get((t, v), (0, 0, 0))
        rows.append(
            AssetVillage(
                town_code=t,
                village_code=v,
                assets=n,
                value=value,
                income=got,
                distributed=out,
                undistributed=got - out,
                households_paid=households,
                households_paid_without_labour=without,
            )
        )
    return rows
