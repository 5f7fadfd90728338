"""What household and village exit cases share: applying a step to a case, the steps open
now, and If-Match on a step."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from fastapi import Request

from services.eligibility.cases.machine import CHINA, CaseClock, Procedure, Step, period_end
from services.eligibility.parameters.store import ParameterSet
from shared.etag import require_if_match


class Case(Protocol):
    state: str
    period: str | None
    period_started_at: datetime | None
    period_ends_at: datetime | None
    closed_at: datetime | None


def clock_of(case: Case) -> CaseClock:
    return CaseClock(case.state, case.period, case.period_ends_at)


def apply_step(
    case: Case, step: Step, procedure: Procedure, params: ParameterSet, now: datetime
) -> dict[str, Any]:
    """Moves the case; returns what the event records about a period it starts."""
    details: dict[str, Any] = {}
    case.state = step.to_state
    if step.starts is not None:
        ends = period_end(step.starts, params, now)
        case.period, case.period_started_at, case.period_ends_at = step.starts.name, now, ends
        details = {
            "period": step.starts.name,
            "days_parameter": step.starts.days_parameter,
            "ends_at": ends.astimezone(CHINA).isoformat(),
        }
    else:
        case.period = case.period_started_at = case.period_ends_at = None
    if step.to_state in procedure.closed:
        case.closed_at = now
    return details


def next_actions(procedure: Procedure, case: Case, now: datetime) -> list[str]:
    """The steps the procedure allows now, whoever may take them."""
    actions = []
    for action, step in procedure.steps.items():
        if case.state not in step.from_states:
            continue
        ends = case.period_ends_at
        if step.waits_for is not None and (ends is None or now < ends):
            continue
        if step.during and (ends is None or now >= ends):
            continue
        actions.append(action)
    return actions


def if_match(request: Request, version: int) -> None:
    """Steps are POSTs, so If-Match is optional; when sent, a stale one is 412."""
    if request.headers.get("if-match") is not None:
        require_if_match(request, version)
