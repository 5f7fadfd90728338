from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.auth import AreaLevel, Role, area_level

_ROLE_LEVEL = {
    Role.district_admin: AreaLevel.district,
    Role.town_officer: AreaLevel.town,
    Role.village_cadre: AreaLevel.village,
    Role.finance_officer: AreaLevel.district,
    Role.auditor: AreaLevel.district,
    Role.provincial_system: AreaLevel.district,
}


class AccountCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "wang.cadre",
                    "display_name": "王村干部",
                    "password": "a-long-passphrase-2018",
                    "role": "village_cadre",
                    "area_code": "370404104001",
                }
            ]
        }
    )

    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9._-]+$")
    display_name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=12, max_length=256)
    role: Role
    area_code: str = Field(pattern=r"^370404(\d{3}(\d{3})?)?$")

    @model_validator(mode="after")
    def _area_fits_role(self) -> AccountCreate:
        # A town officer with a district area would get district-wide write scope.
        expected = _ROLE_LEVEL.get(self.role)
        if expected is not None and area_level(self.area_code) is not expected:
            raise ValueError(f"a {self.role.value} account needs a {expected.value} area code")
        return self


class AccountUpdate(BaseModel):
    """Fields left out stay as they are; send If-Match with the account's ETag."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"disabled": True}]})

    display_name: str | None = Field(default=None, min_length=1, max_length=64)
    disabled: bool | None = None
    password: str | None = Field(default=None, min_length=12, max_length=256)


class AccountRead(BaseModel):
    """An account; `version` is its ETag value for If-Match on `PATCH /v1/accounts/{id}`."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "5b0e8f2c-3d41-4f7a-9c1e-2a6b7d8e9f01",
                    "username": "wang.cadre",
                    "display_name": "王村干部",
                    "role": "village_cadre",
                    "area_code": "370404104001",
                    "disabled": False,
                    "created_at": "2018-03-12T09:30:00+08:00",
                    "version": 1,
                }
            ]
        },
    )

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    area_code: str
    disabled: bool
    created_at: datetime
    version: int = Field(description="The account's ETag value; changes with every update")


class TokenResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiJ9...",
                    "token_type": "bearer",
                    "expires_in": 900,
                    "refresh_token": "Zr2c...",
                    "role": "village_cadre",
                    "area_code": "370404104001",
                }
            ]
        }
    )

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
    refresh_token: str | None = None
    role: Role
    area_code: str
