"""The change feed as clients read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

_CHANGE_EXAMPLE: JsonDict = {
    "entity": "household",
    "entity_id": "3d2b9c1a-6f4e-4e1b-8a0d-7c5b4a3e2f10",
    "op": "remove",
    "area_code": "370404104001",
    "at": "2018-06-30T09:12:44.118000+08:00",
    "payload": None,
}


class ChangeRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [_CHANGE_EXAMPLE]}
    )

    entity: str = Field(description="village, household, cadre, cadre_pairing, …")
    entity_id: str
    op: Literal["upsert", "remove"] = Field(
        description="upsert: `payload` is the record's full new state; remove: it left this area"
    )
    area_code: str = Field(description="The village (or town) the record belongs to")
    at: datetime
    payload: dict[str, Any] | None


class ChangePage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "entity": "village",
                            "entity_id": "370404104001",
                            "op": "upsert",
                            "area_code": "370404104001",
                            "at": "2018-03-02T10:00:00+08:00",
                            "payload": {"code": "370404104001", "name": "马楼村"},
                        },
                        _CHANGE_EXAMPLE,
                    ],
                    "next_cursor": "WzE4MzQ1LCAyMDk5XQ==",
                }
            ]
        }
    )

    items: list[ChangeRead]
    next_cursor: str = Field(
        description="Always present: poll again with it; it stays put while nothing is new"
    )
