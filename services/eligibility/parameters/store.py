"""`ParameterSet`: every parameter's dated values, answering "which value applies on this date".

Built from plain records (name, effective, value, source) so the service can feed it from its
database; immutable, so a request never sees a half-updated set — adding a value returns a new
set. A date before a parameter's first value is an error naming the parameter and the date.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from shared.errors import FieldError

from ..errors import InvalidParameter, ParameterNotInForce, UnknownParameter
from ..money import round_yuan
from .model import DatedValue, ParameterDefinition, ParameterRecord

_HUNDRED = Decimal(100)


def _check_value(definition: ParameterDefinition, record: ParameterRecord) -> None:
    value = record.value
    problem: str | None = None
    if definition.unit == "codes":
        if isinstance(value, Decimal) or not all(code.strip() for code in value):
            problem = "must be a list of non-blank codes"
    elif not isinstance(value, Decimal):
        problem = f"must be a number ({definition.unit})"
    elif definition.unit == "rate" and not Decimal(0) <= value <= Decimal(1):
        problem = "a rate must lie between 0 and 1"
    elif definition.unit == "index" and value <= 0:
        problem = "a price index must be positive"
    elif value < 0:
        problem = "must not be negative"
    if problem:
        raise InvalidParameter(
            f"value of {record.name} effective {record.effective}: {problem}",
            errors=[FieldError(loc=("value",), msg=problem)],
        )


class ParameterSet:
    def __init__(
        self,
        definitions: Mapping[str, ParameterDefinition],
        records: Iterable[ParameterRecord],
    ) -> None:
        self._definitions = dict(definitions)
        by_name: dict[str, dict[date, DatedValue]] = {name: {} for name in self._definitions}
        for record in records:
            definition = self._definitions.get(record.name)
            if definition is None:
                raise InvalidParameter(
                    f"no parameter is named {record.name}",
                    errors=[FieldError(loc=("name",), msg="unknown parameter")],
                )
            _check_value(definition, record)
            if record.effective in by_name[record.name]:
                raise InvalidParameter(
                    f"{record.name} already has a value effective {record.effective}",
                    errors=[FieldError(loc=("effective",), msg="duplicate effective date")],
                )
            by_name[record.name][record.effective] = DatedValue(**record.model_dump())
        self._values = {
            name: tuple(values[d] for d in sorted(values)) for name, values in by_name.items()
        }
        self._dates = {name: [v.effective for v in vals] for name, vals in self._values.items()}
        self._derived: dict[tuple[str, int], DatedValue] = {}

    @classmethod
    def from_records(
        cls,
        records: Iterable[ParameterRecord],
        definitions: Mapping[str, ParameterDefinition] | None = None,
    ) -> ParameterSet:
        """Build from database rows; definitions default to those shipped with the engine."""
        if definitions is None:
            from .loader import default_definitions

            definitions = default_definitions()
        return cls(definitions, records)

    def with_record(self, record: ParameterRecord) -> ParameterSet:
        """A new set with one more dated value (validated exactly as at load)."""
        return ParameterSet(self._definitions, [*self.records(), record])

    def records(self) -> list[ParameterRecord]:
        return [
            ParameterRecord(**v.model_dump(exclude={"derived_from"}))
            for values in self._values.values()
            for v in values
        ]

    @property
    def definitions(self) -> Mapping[str, ParameterDefinition]:
        return self._definitions

    def definition(self, name: str) -> ParameterDefinition:
        try:
            return self._definitions[name]
        except KeyError:
            raise UnknownParameter(name) from None

    def history(self, name: str) -> tuple[DatedValue, ...]:
        self.definition(name)
        return self._values[name]

    def number(self, name: str, on: date) -> Decimal:
        return self.value(name, on).number

    def value(self, name: str, on: date) -> DatedValue:
        definition = self.definition(name)
        values = self._values[name]
        position = bisect_right(self._dates[name], on) - 1
        if definition.validity == "until_next":
            if position < 0:
                raise ParameterNotInForce(name, on, self._before_first(values))
            return values[position]
        if position >= 0 and values[position].effective.year == on.year:
            return values[position]
        return self._derive(definition, on)

    @staticmethod
    def _before_first(values: tuple[DatedValue, ...]) -> str:
        if not values:
            return "it has no value yet"
        return f"its first value takes effect on {values[0].effective.isoformat()}"

    def _derive(self, definition: ParameterDefinition, on: date) -> DatedValue:
        name, year = definition.name, on.year
        cached = self._derived.get((name, year))
        if cached is not None:
            return cached
        if definition.index is None:
            raise ParameterNotInForce(
                name, on, f"no value for {year} (a yearly value never carries into another year)"
            )
        values = self._values[name]
        if not values or values[0].effective.year >= year:
            raise ParameterNotInForce(
                name, on, f"no value for {year} and none for an earlier year to derive it from"
            )
        try:
            index = self.value(definition.index, on)
            previous = self.value(name, date(year - 1, 12, 31))
        except ParameterNotInForce as missing:
            raise ParameterNotInForce(
                name,
                on,
                f"no value for {year}; add one, or add {definition.index} for {year} to derive "
                f"it from {name} of {year - 1} ({missing.parameter} is missing for "
                f"{missing.on.year})",
            ) from missing
        derived = DatedValue(
            name=name,
            effective=date(year, 1, 1),
            value=round_yuan(previous.number * index.number / _HUNDRED),
            source=(
                f"derived: {name} {year - 1} × {definition.index} {year} ÷ 100, rounded to the fen"
                f" ({definition.derivation_source or 'method of the plan'})"
            ),
            derived_from=(previous, index),
        )
        self._derived[(name, year)] = derived
        return derived
