"""Typed clients of the registry and the eligibility service, on `shared.http.ServiceClient`.

Both are called with the caller's own token: the registry then answers 404 for a
household outside the caller's area exactly as for one that does not exist, and each
service applies its own roles to the person acting.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.errors import FieldError, Forbidden, InvalidInput, UpstreamUnavailable
from shared.http import ServiceClient

# 劳动技能 codes that mean a member can work (registry code list `labour`).
ABLE_TO_WORK = frozenset({"ordinary", "skilled"})
# 脱贫状态 of households that poverty-targeted money may reach: currently poor, about to
# exit, or exited with policies unchanged (第十二章第二节五).
TARGETED_STATUSES = frozenset({"not_exited", "returned", "pre_exit", "exited_supported"})


class MemberYearFacts(BaseModel):
    model_config = ConfigDict(extra="ignore")

    labour: str | None = None


class MemberFacts(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    year: MemberYearFacts | None = None


class HouseholdFacts(BaseModel):
    """What funds reads of a registry household (`GET /v1/households/{id}`)."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    village_code: str
    town_code: str
    status: str
    members: list[MemberFacts] = Field(default_factory=list)

    @property
    def targeted(self) -> bool:
        return self.status in TARGETED_STATUSES

    @property
    def without_labour(self) -> bool:
        """无劳动能力: members' labour is recorded for the year and none is an ordinary or
        skilled worker. A household with no yearly member records is not presumed unable
        to work: a gap in the data earns no priority."""
        recorded = [m.year for m in self.members if m.year is not None]
        return bool(recorded) and not any(y.labour in ABLE_TO_WORK for y in recorded)


def _upstream_refused(name: str, response: httpx.Response) -> Forbidden:
    return Forbidden(f"the {name} service refused the caller ({response.status_code})")


class RegistryClient(ServiceClient):
    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__("registry", base_url, **kwargs)

    async def household(
        self, household_id: uuid.UUID, *, token: str, year: int | None = None
    ) -> HouseholdFacts | None:
        """The household, or None when it does not exist or is outside the caller's area."""
        params = {"year": year} if year is not None else None
        response = await self.request(
            "GET", f"/v1/households/{household_id}", token=token, params=params
        )
        if response.status_code == 404:
            return None
        if response.status_code in (401, 403):
            raise _upstream_refused("registry", response)
        if response.status_code != 200:
            raise UpstreamUnavailable(f"registry answered {response.status_code}")
        try:
            return HouseholdFacts.model_validate(response.json())
        except ValidationError as exc:
            raise UpstreamUnavailable("registry answered a household funds cannot read") from exc


class BenefitCalculation(BaseModel):
    """The eligibility service's answer to `POST /v1/benefits/{code}/calculate`."""

    model_config = ConfigDict(extra="allow")

    code: str
    amount: Decimal
    period: str
    eligible: bool
    items: list[dict[str, Any]] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    trace: dict[str, Any]
    unit: str = "yuan"


class EligibilityClient(ServiceClient):
    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__("eligibility", base_url, **kwargs)

    async def calculate(
        self, code: str, *, on: date, facts: dict[str, Any], token: str
    ) -> BenefitCalculation:
        response = await self.request(
            "POST",
            f"/v1/benefits/{code}/calculate",
            token=token,
            json={"date": on.isoformat(), "facts": facts},
        )
        if response.status_code == 404:
            raise InvalidInput(
                f"the eligibility service knows no benefit {code!r}",
                errors=[FieldError(("body", "reason", "benefit_code"), "unknown benefit")],
            )
        if response.status_code == 422:
            upstream = response.json()
            errors = [
                FieldError(
                    ("body", "reason", *[p for p in e.get("loc", []) if p != "body"]),
                    str(e.get("msg", "")),
                    str(e.get("type", "value_error")),
                )
                for e in upstream.get("errors", [])
            ] or [FieldError(("body", "reason", "facts"), str(upstream.get("detail", "")))]
            raise InvalidInput(
                f"the eligibility service cannot compute {code}: {upstream.get('detail', '')}",
                errors=errors,
            )
        if response.status_code in (401, 403):
            raise _upstream_refused("eligibility", response)
        if response.status_code != 200:
            raise UpstreamUnavailable(f"eligibility answered {response.status_code}")
        try:
            return BenefitCalculation.model_validate(response.json())
        except ValidationError as exc:
            raise UpstreamUnavailable(
                "eligibility answered a calculation funds cannot read"
            ) from exc
