"""Who may do what in the funds service (DESIGN.md's matrix), and area checks.

Village cadres and the provincial system never touch funds; the public reads only the
disclosure endpoints. District administrators approve stages but never pay.
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends
from sqlalchemy.orm import QueryableAttribute

from shared.auth import AreaLevel, Principal, Role, bearer_token, require_roles
from shared.errors import NotFound
from shared.scoping import area_clause

READERS = (Role.district_admin, Role.town_officer, Role.finance_officer, Role.auditor, Role.service)
STATS_READERS = (Role.district_admin, Role.finance_officer, Role.auditor, Role.service)
LEDGER_READERS = (Role.district_admin, Role.finance_officer, Role.auditor)

Reader = Annotated[Principal, Depends(require_roles(*READERS))]
StatsReader = Annotated[Principal, Depends(require_roles(*STATS_READERS))]
LedgerReader = Annotated[Principal, Depends(require_roles(*LEDGER_READERS))]
Finance = Annotated[Principal, Depends(require_roles(Role.finance_officer))]
Proposer = Annotated[Principal, Depends(require_roles(Role.town_officer))]
StageRecorder = Annotated[Principal, Depends(require_roles(Role.town_officer, Role.district_admin))]
AssetRegistrar = Annotated[Principal, Depends(require_roles(Role.district_admin))]
CardReader = Annotated[Principal, Depends(require_roles(Role.finance_officer, Role.auditor))]
Auditor = Annotated[Principal, Depends(require_roles(Role.auditor))]
# The caller's own token, forwarded to the registry and eligibility so that their area
# scoping applies to the person acting.
CallerToken = Annotated[str, Depends(bearer_token)]


def covers(principal: Principal, town_code: str, village_code: str | None) -> bool:
    match principal.level:
        case AreaLevel.district:
            return town_code.startswith(principal.area_code)
        case AreaLevel.town:
            return town_code == principal.area_code
        case AreaLevel.village:
            return village_code == principal.area_code


def ensure_covers(
    principal: Principal, town_code: str, village_code: str | None, what: str
) -> None:
    """A record outside the caller's area does not exist for them (404, as DESIGN.md says)."""
    if not covers(principal, town_code, village_code):
        raise NotFound(f"no such {what}")


def in_area(
    principal: Principal,
    *,
    town: QueryableAttribute[str] | QueryableAttribute[str | None],
    village: QueryableAttribute[str] | QueryableAttribute[str | None],
) -> sa.ColumnElement[bool]:
    """`shared.scoping.area_clause` on ORM attributes: rows of the caller's area only."""
    return area_clause(principal, village=village.expression, town=town.expression)
