"""What the household endpoints share: who may call them, path and query types,
If-Match handling, cursors and OpenAPI response descriptions."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from pydantic import BaseModel

from services.registry.households.records import Precondition, YearPrecondition
from services.registry.households.views import example_of
from shared.auth import Principal, Role, require_roles
from shared.errors import FieldError, InvalidInput, PreconditionRequired
from shared.etag import require_if_match
from shared.pagination import decode_cursor

WRITERS = (Role.district_admin, Role.town_officer, Role.village_cadre)
Reader = Annotated[Principal, Depends(require_roles(*Role))]
Writer = Annotated[Principal, Depends(require_roles(*WRITERS))]
# The eligibility service sets status and exit year over HTTP with a service token.
StatusWriter = Annotated[Principal, Depends(require_roles(*WRITERS, Role.service))]
# History and warnings can reveal health facts (an ill member's flag, health in snapshots).
HealthReader = Annotated[Principal, Depends(require_roles(*WRITERS, Role.auditor))]
DistrictAdmin = Annotated[Principal, Depends(require_roles(Role.district_admin))]

HouseholdId = Annotated[uuid.UUID, Path(description="The household's id")]
MemberId = Annotated[uuid.UUID, Path(description="The member's id")]
DataYear = Annotated[int, Path(ge=2014, le=2100, description="数据年度 data year")]
YearQuery = Annotated[int | None, Query(ge=2014, le=2100, description="数据年度 data year")]

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such household in your area (outside it looks the same)"}
}
IF_MATCH: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    412: {"description": "If-Match names a version that is no longer current"},
    428: {"description": "If-Match is missing"},
}


def page_of(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    page = {"items": [example_of(model)], "next_cursor": "WyIwZjZjMmQ0ZS04YjFhIl0="}
    return {200: {"content": {"application/json": {"example": page}}}}


def if_match(request: Request) -> Precondition:
    """If-Match is required: 428 at once when absent, 412 later if the version is stale."""
    if request.headers.get("if-match") is None:
        raise PreconditionRequired("updates need an If-Match header with the ETag last read")
    return partial(require_if_match, request)


def if_match_to_replace(request: Request) -> YearPrecondition:
    """PUT of a year's record: creating it needs no If-Match, replacing it needs a current
    one (428, 412). The ETag is the household's, which exists before the year does, so an
    If-Match sent with a creation is checked too rather than refused as in areas."""

    def check(version: int, replacing: bool) -> None:
        if replacing or "if-match" in request.headers:
            require_if_match(request, version)

    return check


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        "the cursor is not one this service issued",
        errors=[FieldError(("query", "cursor"), "malformed cursor")],
    )


def cursor_id(cursor: str | None) -> int | None:
    """The last row id of the previous page (audit entries, warnings)."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    if len(position) != 1 or type(position[0]) is not int:
        raise _bad_cursor()
    return position[0]


def cursor_uuid(cursor: str | None) -> uuid.UUID | None:
    """The last household id of the previous page."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        if len(position) != 1:
            raise ValueError
        return uuid.UUID(str(position[0]))
    except ValueError:
        raise _bad_cursor() from None
