"""Single calculations and a registered household's entitlements, from the registry."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from pydantic import ValidationError

from services.eligibility.benefits.catalogue import benefit
from services.eligibility.calculations.schemas import (
    BenefitTotal,
    CalculationRequest,
    EntitlementsRead,
    Total,
)
from services.eligibility.entitlements import EntitlementLine, entitlements, require_in_force
from services.eligibility.errors import InvalidFacts
from services.eligibility.parameters.store import ParameterSet
from services.eligibility.registry_client import RegistryClient
from services.eligibility.registry_facts import READING, household_facts
from services.eligibility.results import BenefitResult


def calculate(code: str, request: CalculationRequest, params: ParameterSet) -> BenefitResult:
    """One benefit on one date; bad facts are a 422 naming each (`body.facts.<fact>`)."""
    chosen = benefit(code)  # 404 for an unknown code, before the facts are looked at
    try:
        facts = chosen.facts.model_validate(request.facts)
    except ValidationError as exc:
        raise InvalidFacts.from_validation(exc, "body", "facts") from exc
    return chosen.rule(facts, params, request.date)


def benefit_totals(lines: list[EntitlementLine]) -> tuple[list[Total], list[BenefitTotal]]:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    by_code: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        totals[(line.period, line.unit)] += line.amount
        by_code[(line.code, line.period, line.unit)] += line.amount
    return (
        [Total(period=p, unit=u, amount=a) for (p, u), a in sorted(totals.items())],
        [
            BenefitTotal(code=c, period=p, unit=u, amount=a)
            for (c, p, u), a in sorted(by_code.items())
        ],
    )


async def household_entitlements(
    registry: RegistryClient,
    token: str,
    household_id: uuid.UUID,
    year: int,
    params: ParameterSet,
) -> EntitlementsRead:
    require_in_force(params, year)  # a 409 naming the parameter, before asking the registry
    record = await registry.household(household_id, year, token=token)
    facts = household_facts(record, year)
    result = entitlements(facts, year, params)
    totals, by_benefit = benefit_totals(result.lines)
    return EntitlementsRead(
        household_id=result.household_id,
        year=year,
        targeted=result.targeted,
        targeting_reading=result.targeting_reading,
        facts_reading=READING,
        lines=result.lines,
        totals=totals,
        by_benefit=by_benefit,
        results=result.results,
    )
