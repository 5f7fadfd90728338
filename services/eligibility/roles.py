"""Who may do what in the eligibility service (DESIGN.md's matrix), and area checks.

- Policy parameters: everyone reads them (they are public policy); only the district
  office (区扶贫办) adds a value.
- The benefit catalogue and single calculations: every signed-in role; the funds service
  asks for a subsidy's amount with the finance officer's own token.
- Assessments read households' health, schooling and insurance: the roles that see those
  details in the registry (district, town, village, auditor).
- Exit cases: village cadres propose and record objections, town officers review, the
  district approves and deregisters; auditors read.
- Batch runs: the district or a town office starts them; auditors read them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth import AreaLevel, Principal, Role, bearer_token, require_roles
from shared.errors import NotFound

R = Role
EVERYONE = tuple(Role)
ASSESSORS = (R.district_admin, R.town_officer, R.village_cadre, R.auditor)
CASE_READERS = (R.district_admin, R.town_officer, R.village_cadre, R.auditor)
RUNNERS = (R.district_admin, R.town_officer)
RUN_READERS = (R.district_admin, R.town_officer, R.auditor)
AUDIT_READERS = (R.district_admin, R.auditor)

Anyone = Annotated[Principal, Depends(require_roles(*EVERYONE))]
Assessor = Annotated[Principal, Depends(require_roles(*ASSESSORS))]
DistrictAdmin = Annotated[Principal, Depends(require_roles(R.district_admin))]
CaseReader = Annotated[Principal, Depends(require_roles(*CASE_READERS))]
Runner = Annotated[Principal, Depends(require_roles(*RUNNERS))]
RunReader = Annotated[Principal, Depends(require_roles(*RUN_READERS))]
AuditReader = Annotated[Principal, Depends(require_roles(*AUDIT_READERS))]
# The caller's own token, forwarded to the registry so its area scoping applies to the
# person acting and it shows them what their role may see.
CallerToken = Annotated[str, Depends(bearer_token)]


def covers(principal: Principal, town_code: str, village_code: str | None) -> bool:
    """Whether a record of this town (and village) lies inside the caller's area."""
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
    """A record outside the caller's area does not exist for them (404, DESIGN.md)."""
    if not covers(principal, town_code, village_code):
        raise NotFound(f"no such {what}")
