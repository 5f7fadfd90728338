"""The key-village exit procedure of 第二章第四节二（二） (RULES.md §4).

乡镇初评并公示 (the town assesses and publishes a 7-day notice) → 区评估 (district
evaluation, or a third party it names) → 审定并公告 (approval and a 5-day announcement) →
报市备案、销号 (filing with the city and deregistration, which records the designation's
exit year in the registry). An objection sends the case back to the town's assessment.
Towns act in their own town; the district office evaluates, approves and deregisters.
"""

from __future__ import annotations

from services.eligibility.cases.machine import Period, Procedure, Step
from shared.auth import Role

R = Role
NOTICE = Period("notice", "town public notice (公示)", "village.exit_notice_days")
ANNOUNCEMENT = Period("announcement", "announcement (公告)", "village.exit_announcement_days")

TOWN_ASSESSED = "town_assessed"
TOWN_NOTICE = "town_notice"
DISTRICT_EVALUATED = "district_evaluated"
ANNOUNCED = "announcement"
DEREGISTERED = "deregistered"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
OPEN = frozenset({TOWN_ASSESSED, TOWN_NOTICE, DISTRICT_EVALUATED, ANNOUNCED})

TOWN = frozenset({R.town_officer, R.district_admin})
DISTRICT = frozenset({R.district_admin})

VILLAGE_EXIT = Procedure(
    name="village_exit",
    section="第二章第四节二（二）",
    first_state=TOWN_ASSESSED,
    closed=frozenset({DEREGISTERED, REJECTED, WITHDRAWN}),
    steps={
        "propose": Step("propose", "the town's assessment (乡镇初评)", frozenset(), TOWN_ASSESSED, TOWN),
        "publish_notice": Step(
            "publish_notice", "publishing the town notice (公示)", frozenset({TOWN_ASSESSED}),
            TOWN_NOTICE, TOWN, starts=NOTICE,
        ),
        "object": Step(
            "object", "an objection (异议)", frozenset({TOWN_NOTICE, ANNOUNCED}), TOWN_ASSESSED,
            TOWN, during=True,
        ),
        "district_evaluation": Step(
            "district_evaluation", "the district evaluation (区评估)", frozenset({TOWN_NOTICE}),
            DISTRICT_EVALUATED, DISTRICT, waits_for=NOTICE,
        ),
        "district_reject": Step(
            "district_reject", "the district evaluation (区评估)", frozenset({TOWN_NOTICE}),
            REJECTED, DISTRICT, waits_for=NOTICE,
        ),
        "approve": Step(
            "approve", "approval and announcement (审定并公告)", frozenset({DISTRICT_EVALUATED}),
            ANNOUNCED, DISTRICT, starts=ANNOUNCEMENT,
        ),
        "deregister": Step(
            "deregister", "filing with the city and deregistration (报市备案、销号)",
            frozenset({ANNOUNCED}), DEREGISTERED, DISTRICT, waits_for=ANNOUNCEMENT,
        ),
        "withdraw": Step("withdraw", "withdrawing the case", OPEN, WITHDRAWN, TOWN),
    },
)  # fmt: skip
