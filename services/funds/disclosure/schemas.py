"""The public view (阳光扶贫): projects, stages, notices and money, without personal data.

No household, card or official's name appears here: payments are counted, not listed,
and a stage shows the role that decided it, not the person.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict

from services.funds.codes import FundKind, FundLevel, ProjectKind, Stage
from services.funds.money import Amount
from services.funds.projects.schemas import NoticeRead


class PublicStage(BaseModel):
    stage: Stage
    decided_on: date
    decided_by_role: str
    notice: NoticeRead | None


class PublicSourceShare(BaseModel):
    level: FundLevel
    kind: FundKind
    name: str
    document_number: str
    allocated: Amount


class PublicProject(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0c9f3a5e-7d1b-4e2f-9a8c-6b5d4e3f2a10",
                    "year": 2018,
                    "kind": "housing_renovation",
                    "name": "东于村2018年危房改造",
                    "town_code": "370404104",
                    "village_code": "370404104001",
                    "planned_households": 12,
                    "budget": "120000.00",
                    "stage": "accepted",
                    "allocated": "120000.00",
                    "disbursed": "96000.00",
                    "households_paid": 12,
                    "sources": [],
                    "stages": [],
                }
            ]
        }
    )

    id: uuid.UUID
    year: int
    kind: ProjectKind
    name: str
    town_code: str
    village_code: str | None
    planned_households: int
    budget: Amount
    stage: Stage
    allocated: Amount
    disbursed: Amount
    households_paid: int
    sources: list[PublicSourceShare]
    stages: list[PublicStage]


class PublicVillage(BaseModel):
    town_code: str
    village_code: str | None  # None: town-wide projects
    projects: int
    budget: Amount
    allocated: Amount
    disbursed: Amount
    households_paid: int


class PublicSource(BaseModel):
    id: uuid.UUID
    year: int
    level: FundLevel
    kind: FundKind
    name: str
    document_number: str
    amount: Amount
    allocated: Amount
    disbursed: Amount
