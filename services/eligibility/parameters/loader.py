"""Loads the reviewable YAML files of `parameters/data/` into definitions and dated values.

Every file is validated with pydantic at load; a value without a source is refused. Numbers
are read as `Decimal` straight from the YAML text: going through float would turn 0.55 into
0.55000000000000004 before any rule sees it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import InvalidParameter
from .model import NonBlank, ParameterDefinition, ParameterRecord, ParameterValue, Unit, Validity
from .store import ParameterSet

DATA_DIR = Path(__file__).parent / "data"


class _DecimalLoader(yaml.SafeLoader):
    pass


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    assert isinstance(node, yaml.ScalarNode)
    return Decimal(loader.construct_scalar(node))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


class _ValueEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective: date
    value: ParameterValue
    source: NonBlank
    note: str | None = None


class _ParameterEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: NonBlank
    unit: Unit
    validity: Validity = "until_next"
    index: str | None = None
    derivation_source: str | None = None
    values: list[_ValueEntry]


class _ParameterFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group: NonBlank
    description: NonBlank
    parameters: dict[str, _ParameterEntry]


def parse_file(
    path: Path,
) -> tuple[list[ParameterDefinition], list[ParameterRecord]]:
    raw: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=_DecimalLoader)  # noqa: S506
    try:
        parsed = _ParameterFile.model_validate(raw)
        definitions: list[ParameterDefinition] = []
        records: list[ParameterRecord] = []
        for key, entry in parsed.parameters.items():
            name = f"{parsed.group}.{key}"
            definitions.append(
                ParameterDefinition(
                    name=name,
                    description=entry.description,
                    unit=entry.unit,
                    validity=entry.validity,
                    index=entry.index,
                    derivation_source=entry.derivation_source,
                )
            )
            records.extend(
                ParameterRecord(name=name, **value.model_dump()) for value in entry.values
            )
    except ValidationError as exc:
        raise InvalidParameter.from_validation(exc, path.name) from exc
    return definitions, records


def load_directory(
    directory: Path = DATA_DIR,
) -> tuple[dict[str, ParameterDefinition], list[ParameterRecord]]:
    definitions: dict[str, ParameterDefinition] = {}
    records: list[ParameterRecord] = []
    for path in sorted(directory.glob("*.yaml")):
        file_definitions, file_records = parse_file(path)
        for definition in file_definitions:
            if definition.name in definitions:
                raise InvalidParameter(f"{definition.name} is defined twice ({path.name})")
            definitions[definition.name] = definition
        records.extend(file_records)
    for definition in definitions.values():
        if definition.index is not None and definition.index not in definitions:
            raise InvalidParameter(f"{definition.name} derives from unknown {definition.index}")
    return definitions, records


@cache
def default_definitions() -> dict[str, ParameterDefinition]:
    return load_directory()[0]


@cache
def default_parameters() -> ParameterSet:
    """The parameters shipped with the engine: the plan's own values (RULES.md §1 and §6)."""
    definitions, records = load_directory()
    return ParameterSet(definitions, records)
