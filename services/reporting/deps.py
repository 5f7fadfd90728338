"""Dependencies of the reporting service: the report runner, the caller's token, roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.reporting.service import ReportService
from shared.auth import Principal, Role, bearer_token, require_roles


def _reports(request: Request) -> ReportService:
    service: ReportService = request.app.state.reports
    return service


Reports = Annotated[ReportService, Depends(_reports)]
# The caller's own token: passed through to every upstream, so each applies its area
# scoping and its roles to the person asking.
CallerToken = Annotated[str, Depends(bearer_token)]

# Reports over the register: every role reads them, each inside its own area.
READERS = tuple(Role)
# Reports over money: the roles the funds service lets read its aggregates. A snapshot
# is never a way round that, so reporting checks the role itself before asking.
FUNDS_READERS = (Role.district_admin, Role.finance_officer, Role.auditor, Role.service)

Reader = Annotated[Principal, Depends(require_roles(*READERS))]
FundsReader = Annotated[Principal, Depends(require_roles(*FUNDS_READERS))]
