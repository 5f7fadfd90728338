"""Database rows and definitions into the API's parameter shapes."""

from __future__ import annotations

from services.eligibility.parameters.model import ParameterDefinition
from services.eligibility.policy.models import ParameterValue
from services.eligibility.policy.schemas import ParameterRead, ParameterValueRead


def value_read(row: ParameterValue) -> ParameterValueRead:
    return ParameterValueRead(
        effective=row.effective,
        value=list(row.codes) if row.codes is not None else row.number,
        source=row.source,
        note=row.note,
        origin=row.origin,
        entered_by=row.entered_by,
        entered_at=row.created_at,
    )


def parameter_read(definition: ParameterDefinition, rows: list[ParameterValue]) -> ParameterRead:
    return ParameterRead(
        name=definition.name,
        group=definition.name.split(".", 1)[0],
        description=definition.description,
        unit=definition.unit,
        validity=definition.validity,
        index=definition.index,
        derivation_source=definition.derivation_source,
        values=[value_read(r) for r in rows],
    )
