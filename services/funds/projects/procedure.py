"""The project procedure of 第五章第三节二, as a table: who records each stage, in what order.

农户个人申请 → 村集体评议、一榜公示 → 镇级审核、二榜公示 → 区审批、三榜公示 → 签订协议
→ 组织实施 → 竣工验收 → 补助资金拨付. Payment is not a stage here: it is the
disbursements, allowed only once the project is accepted.

Readings (visible to officials through the stage records):
- Village cadres may not touch funds (DESIGN.md), so the town office records the village
  meeting's review and its first notice.
- The plan names no notice period for projects; a notice runs for the days it states
  (at least one), and the next stage cannot be decided before it has run.
- A review that refuses the project records `rejected`; whoever would record the next
  review may refuse. A rejected project is closed.
"""

from __future__ import annotations

from datetime import date, timedelta

from services.funds.codes import Stage
from services.funds.errors import ProcedureViolation
from shared.auth import Principal, Role
from shared.errors import Forbidden

ORDER: tuple[Stage, ...] = (
    Stage.proposed,
    Stage.village_reviewed,
    Stage.town_reviewed,
    Stage.district_approved,
    Stage.agreement_signed,
    Stage.under_construction,
    Stage.accepted,
)
NOTICES: dict[Stage, str] = {
    Stage.village_reviewed: "一榜公示",
    Stage.town_reviewed: "二榜公示",
    Stage.district_approved: "三榜公示",
}
RECORDERS: dict[Stage, frozenset[Role]] = {
    Stage.proposed: frozenset({Role.town_officer}),
    Stage.village_reviewed: frozenset({Role.town_officer}),
    Stage.town_reviewed: frozenset({Role.town_officer}),
    Stage.district_approved: frozenset({Role.district_admin}),
    Stage.agreement_signed: frozenset({Role.town_officer, Role.district_admin}),
    Stage.under_construction: frozenset({Role.town_officer, Role.district_admin}),
    Stage.accepted: frozenset({Role.district_admin}),
}
# Money may be earmarked once the district approved, and paid once the work is accepted.
ALLOCATABLE = frozenset(ORDER[ORDER.index(Stage.district_approved) :])
PAYABLE = frozenset({Stage.accepted})
EDITABLE = frozenset({Stage.proposed})


def next_stage(current: Stage) -> Stage | None:
    if current is Stage.rejected or current is ORDER[-1]:
        return None
    return ORDER[ORDER.index(current) + 1]


def check_transition(principal: Principal, current: Stage, target: Stage) -> Stage:
    """The stage whose recorders decide `target`; refuses skips, repeats and wrong roles."""
    following = next_stage(current)
    if following is None:
        raise ProcedureViolation(f"the project is {current.value}: no further stage is recorded")
    if target is Stage.rejected:
        if following not in NOTICES:
            raise ProcedureViolation(
                f"a project can be rejected only at a review; the next stage is {following.value}"
            )
        decided_by = following
    elif target is not following:
        raise ProcedureViolation(
            f"the project is {current.value}; the next stage is {following.value}, "
            f"not {target.value}",
            extra={"current_stage": current.value, "next_stage": following.value},
        )
    else:
        decided_by = target
    if principal.role not in RECORDERS[decided_by]:
        allowed = ", ".join(sorted(r.value for r in RECORDERS[decided_by]))
        raise Forbidden(f"{decided_by.value} is recorded by {allowed}, not {principal.role.value}")
    return decided_by


def notice_ends(published_on: date, days: int) -> date:
    """The first day after a notice of `days` days published on `published_on`."""
    return published_on + timedelta(days=days)
