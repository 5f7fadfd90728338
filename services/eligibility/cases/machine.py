"""A procedure as a table: each step says who takes it, from which states, to which state,
and which public period it starts or must wait for. Household and village exits use it.

Periods run on the server's clock (`app.state.clock`). **Reading**: a notice of N days runs
N × 24 hours from the moment it is published — never shorter, whatever the hour — and the
step after it may be taken from that instant on. Objections are lodged while the period
runs; one sends the case back to review, and the notice starts again when republished.
The number of days is a dated parameter (`household_exit.notice_days`, …).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from services.eligibility.parameters.store import ParameterSet
from shared.auth import Principal, Role
from shared.errors import Conflict, Forbidden

CHINA = timezone(timedelta(hours=8), "CST")  # no daylight saving: a fixed offset is exact


class ProcedureViolation(Conflict):
    type_slug = "procedure-violation"
    title = "Not allowed at this stage of the procedure"


@dataclass(frozen=True, slots=True)
class Period:
    name: str  # "notice", "announcement"
    label: str  # 公示, 公告
    days_parameter: str


@dataclass(frozen=True, slots=True)
class Step:
    action: str
    label: str
    from_states: frozenset[str]
    to_state: str
    roles: frozenset[Role]
    waits_for: Period | None = None  # the period must have ended
    during: bool = False  # only while the case's period runs (objections)
    starts: Period | None = None


@dataclass(frozen=True, slots=True)
class Procedure:
    name: str
    section: str
    first_state: str
    closed: frozenset[str]
    steps: dict[str, Step]

    def roles(self, *actions: str) -> tuple[Role, ...]:
        found: set[Role] = set()
        for action in actions:
            found |= self.steps[action].roles
        return tuple(sorted(found))

    @property
    def states(self) -> list[str]:
        ordered = [self.first_state]
        for step in self.steps.values():
            if step.to_state not in ordered:
                ordered.append(step.to_state)
        return ordered


@dataclass(slots=True)
class CaseClock:
    """The part of a case the machine reads: its state and the period it is in."""

    state: str
    period: str | None
    period_ends_at: datetime | None


def check_step(
    procedure: Procedure, action: str, case: CaseClock, principal: Principal, now: datetime
) -> Step:
    """The step, if this principal may take it now; else 403 or 409 saying why."""
    step = procedure.steps[action]
    if principal.role not in step.roles:
        allowed = ", ".join(sorted(r.value for r in step.roles))
        raise Forbidden(f"{step.label} is taken by {allowed}, not {principal.role.value}")
    if case.state not in step.from_states:
        possible = ", ".join(sorted(step.from_states))
        raise ProcedureViolation(
            f"the case is {case.state}; {step.label} is taken from {possible}",
            extra={"state": case.state, "action": action},
        )
    if step.waits_for is not None or step.during:
        ends = case.period_ends_at
        if ends is None:  # pragma: no cover - states with periods always have an end
            raise ProcedureViolation(f"the case has no running {case.period}")
        shown = ends.astimezone(CHINA).isoformat()
        if step.waits_for is not None and now < ends:
            raise ProcedureViolation(
                f"the {step.waits_for.label} ({step.waits_for.name}) runs until {shown}; "
                f"{step.label} waits for its end",
                extra={"period": step.waits_for.name, "period_ends_at": shown},
            )
        if step.during and now >= ends:
            raise ProcedureViolation(
                f"the {case.period} ended at {shown}; objections are lodged while it runs",
                extra={"period": case.period, "period_ends_at": shown},
            )
    return step


def period_end(period: Period, params: ParameterSet, now: datetime) -> datetime:
    """When a period published now ends: the days in force on the day it is published."""
    days = params.number(period.days_parameter, now.astimezone(CHINA).date())
    if days != days.to_integral_value() or days < 1:
        raise ProcedureViolation(f"{period.days_parameter} must be a whole number of days")
    return now + timedelta(days=int(days))
