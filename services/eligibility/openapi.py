"""OpenAPI descriptions of the problems several endpoints share."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

Responses = dict[int | str, dict[str, Any]]


def _problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }


NOT_IN_FORCE: Responses = {
    409: {
        "description": "A parameter the rule needs has no value in force on the date; the "
        "problem names the parameter and the date (never an amount of zero)",
        "content": {
            "application/problem+json": {
                "example": _problem(
                    409,
                    "parameter-not-in-force",
                    "Parameter not in force",
                    "parameter poverty_line.provincial has no value in force on 2018-12-31: no "
                    "value for 2018; add one, or add cpi.rural for 2018 to derive it …",
                    parameter="poverty_line.provincial",
                    on="2018-12-31",
                )
            }
        },
    }
}
BAD_FACTS: Responses = {
    422: {
        "description": "Facts that fail their types or bounds; each error names the fact",
        "content": {
            "application/problem+json": {
                "example": _problem(
                    422,
                    "invalid-facts",
                    "Invalid facts",
                    "invalid facts: body.facts.housing_grade",
                    errors=[
                        {
                            "loc": ["body", "facts", "housing_grade"],
                            "msg": "Input should be 'A', 'B', 'C' or 'D'",
                            "type": "literal_error",
                        }
                    ],
                )
            }
        },
    }
}
REGISTRY_FACTS: Responses = {
    422: {
        "description": "The registry's record cannot be assessed as it stands (e.g. no survey "
        "of the year); each error names the fact to correct in the registry",
        "content": {
            "application/problem+json": {
                "example": _problem(
                    422,
                    "invalid-registry-facts",
                    "Registry record cannot be assessed",
                    "the registry record of household 0f6c2d4e-… for 2019 cannot be assessed "
                    "(registry.year); correct it in the registry",
                    errors=[
                        {
                            "loc": ["registry", "year"],
                            "msg": "the registry holds no 2019 survey of the household",
                            "type": "value_error",
                        }
                    ],
                    household_id="0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                    year=2019,
                )
            }
        },
    }
}
UPSTREAM: Responses = {503: {"description": "The registry cannot be reached"}}


def page_of(model: type[BaseModel], next_cursor: str = "WyI3ZDFjOGYwYSJd") -> Responses:
    """The 200 example of a page of `model`, from the model's own first example."""
    extra = model.model_config.get("json_schema_extra")
    assert isinstance(extra, dict)
    examples = extra["examples"]
    assert isinstance(examples, list)
    page = {"items": [examples[0]], "next_cursor": next_cursor}
    return {200: {"content": {"application/json": {"example": page}}}}
