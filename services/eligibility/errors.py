"""Errors of the rules engine, each carrying its HTTP status through `shared.errors`."""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError

from shared.errors import Conflict, FieldError, InvalidInput, NotFound


class ParameterNotInForce(Conflict):
    """No value of a parameter applies on the date asked.

    409, not 422: the request itself is well formed; what is missing is policy data that an
    authorised official can add (a dated value, or the year's CPI), after which the very same
    request succeeds. A "not in force" answer is never turned into an amount of zero.
    """

    type_slug = "parameter-not-in-force"
    title = "Parameter not in force"

    def __init__(self, parameter: str, on: date, why: str) -> None:
        super().__init__(
            f"parameter {parameter} has no value in force on {on.isoformat()}: {why}",
            extra={"parameter": parameter, "on": on.isoformat()},
        )
        self.parameter = parameter
        self.on = on


class UnknownParameter(NotFound):
    type_slug = "unknown-parameter"
    title = "Unknown parameter"

    def __init__(self, parameter: str) -> None:
        super().__init__(f"no parameter is named {parameter}", extra={"parameter": parameter})
        self.parameter = parameter


class _FromValidation(InvalidInput):
    @classmethod
    def from_validation(cls, exc: ValidationError, *prefix: str | int) -> _FromValidation:
        errors = [
            FieldError(loc=(*prefix, *e["loc"]), msg=e["msg"], type=e["type"]) for e in exc.errors()
        ]
        named = ", ".join(".".join(str(p) for p in e.loc) for e in errors)
        return cls(f"{cls.title.lower()}: {named}", errors=errors)


class InvalidParameter(_FromValidation):
    """A parameter definition or dated value that cannot be accepted (no source, bad type…)."""

    title = "Invalid parameter"
    type_slug = "invalid-parameter"


class UnknownBenefit(NotFound):
    type_slug = "unknown-benefit"
    title = "Unknown benefit"

    def __init__(self, code: str) -> None:
        super().__init__(f"no benefit has the code {code}", extra={"code": code})


class InvalidFacts(_FromValidation):
    """Facts that fail their model's types or bounds; each field error names the fact."""

    title = "Invalid facts"
    type_slug = "invalid-facts"
