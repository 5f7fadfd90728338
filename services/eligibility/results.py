"""What every rule answers: an amount made of line items, eligibility with reasons, and a trace.

The trace is what lets an official check and contest a result: the rule and its section, the
reading the product applies where the plan is ambiguous, every parameter value used (with its
effective date and source), the facts read, and each intermediate amount.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .money import ZERO, round_yuan
from .parameters.model import DatedValue
from .parameters.store import ParameterSet

Period = Literal["once", "month", "year"]
AmountUnit = Literal["yuan", "kwh"]
"""Every benefit pays yuan except free electricity, which the plan grants in kWh (专栏27)."""


class LineItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    amount: Decimal
    period: Period
    unit: AmountUnit = "yuan"


class Step(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    value: str


class Trace(BaseModel):
    rule: str
    section: str
    on: date
    reading: str | None = None
    parameters: list[DatedValue] = Field(default_factory=list)
    inputs: dict[str, Any] = Field(default_factory=dict)
    steps: list[Step] = Field(default_factory=list)


class BenefitResult(BaseModel):
    code: str
    eligible: bool
    amount: Decimal = Field(description="Sum of the items of `period`, in `unit`")
    unit: AmountUnit = "yuan"
    period: Period
    items: list[LineItem]
    totals: dict[Period, Decimal] = Field(description="Sum of the items of each period")
    figures: dict[str, Decimal] = Field(
        default_factory=dict, description="Figures that are not paid, e.g. the patient's self-pay"
    )
    reasons: list[str]
    trace: Trace


class Calculation:
    """Collects parameters read, steps and items while a rule runs, then builds its result."""

    def __init__(
        self,
        code: str,
        section: str,
        params: ParameterSet,
        on: date,
        facts: BaseModel | Mapping[str, Any],
        reading: str | None = None,
    ) -> None:
        inputs = facts.model_dump(mode="json") if isinstance(facts, BaseModel) else dict(facts)
        self.code = code
        self.on = on
        self._params = params
        self._trace = Trace(rule=code, section=section, on=on, reading=reading, inputs=inputs)
        self._items: list[LineItem] = []
        self._reasons: list[str] = []
        self._figures: dict[str, Decimal] = {}
        self._refused = False

    def param(self, name: str, on: date | None = None) -> Decimal:
        return self._use(name, on).number

    def _use(self, name: str, on: date | None) -> DatedValue:
        value = self._params.value(name, on or self.on)
        if value not in self._trace.parameters:
            self._trace.parameters.append(value)
        return value

    def step(self, label: str, value: object) -> None:
        self._trace.steps.append(Step(label=label, value=str(value)))

    def item(
        self, label: str, amount: Decimal, period: Period, unit: AmountUnit = "yuan"
    ) -> Decimal:
        """Adds a line item, rounding its final amount (and only it) to the fen."""
        rounded = round_yuan(amount)
        self._items.append(LineItem(label=label, amount=rounded, period=period, unit=unit))
        return rounded

    def figure(self, name: str, amount: Decimal) -> Decimal:
        self._figures[name] = rounded = round_yuan(amount)
        return rounded

    def because(self, reason: str) -> None:
        self._reasons.append(reason)

    def refuse(self, reason: str) -> None:
        self._refused = True
        self._reasons.append(reason)

    @property
    def refused(self) -> bool:
        return self._refused

    @property
    def has_items(self) -> bool:
        return bool(self._items)

    def result(self, period: Period, unit: AmountUnit = "yuan") -> BenefitResult:
        totals: dict[Period, Decimal] = {}
        for item in self._items:
            totals[item.period] = totals.get(item.period, ZERO) + item.amount
        return BenefitResult(
            code=self.code,
            eligible=not self._refused,
            amount=totals.get(period, ZERO),
            unit=unit,
            period=period,
            items=list(self._items),
            totals=totals,
            figures=dict(self._figures),
            reasons=list(self._reasons),
            trace=self._trace,
        )
