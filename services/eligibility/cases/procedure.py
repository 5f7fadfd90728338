"""The household exit procedure of 第二章第四节二（一） (一评议一公示一公告, RULES.md §3).

村民代表评议 (review) proposes the exit → 7-day village notice (公示), during which
objections may be lodged → 镇审核、抽查 (town review and spot check) → 5-day announcement
(公告) in the village → 销号 (deregistration, which records the exit in the registry).
An objection sends the case back to review. Village cadres propose and record objections,
town officers review, the district office deregisters; the district office may take any
step (DESIGN.md: district_admin may do everything in eligibility).
"""

from __future__ import annotations

from services.eligibility.cases.machine import Period, Procedure, Step
from shared.auth import Role

R = Role
NOTICE = Period("notice", "village public notice (公示)", "household_exit.notice_days")
ANNOUNCEMENT = Period(
    "announcement", "village announcement (公告)", "household_exit.announcement_days"
)

REVIEW = "review"
VILLAGE_NOTICE = "village_notice"
TOWN_REVIEWED = "town_reviewed"
ANNOUNCED = "announcement"
DEREGISTERED = "deregistered"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
OPEN = frozenset({REVIEW, VILLAGE_NOTICE, TOWN_REVIEWED, ANNOUNCED})
CLOSED = frozenset({DEREGISTERED, REJECTED, WITHDRAWN})

VILLAGE = frozenset({R.village_cadre, R.district_admin})
TOWN = frozenset({R.town_officer, R.district_admin})

HOUSEHOLD_EXIT = Procedure(
    name="household_exit",
    section="第二章第四节二（一）",
    first_state=REVIEW,
    closed=CLOSED,
    steps={
        "propose": Step(
            "propose", "the village review's proposal (评议)", frozenset(), REVIEW, VILLAGE
        ),
        "publish_notice": Step(
            "publish_notice", "publishing the village notice (公示)",
            frozenset({REVIEW}), VILLAGE_NOTICE, VILLAGE, starts=NOTICE,
        ),
        "object": Step(
            "object", "an objection (异议)", frozenset({VILLAGE_NOTICE, ANNOUNCED}), REVIEW,
            VILLAGE, during=True,
        ),
        "town_review": Step(
            "town_review", "the town review (镇审核)", frozenset({VILLAGE_NOTICE}),
            TOWN_REVIEWED, TOWN, waits_for=NOTICE,
        ),
        "town_reject": Step(
            "town_reject", "the town review (镇审核)", frozenset({VILLAGE_NOTICE}), REJECTED,
            TOWN, waits_for=NOTICE,
        ),
        "announce": Step(
            "announce", "publishing the announcement (公告)", frozenset({TOWN_REVIEWED}),
            ANNOUNCED, TOWN, starts=ANNOUNCEMENT,
        ),
        "deregister": Step(
            "deregister", "deregistration (销号)", frozenset({ANNOUNCED}), DEREGISTERED,
            frozenset({R.district_admin}), waits_for=ANNOUNCEMENT,
        ),
        "withdraw": Step(
            "withdraw", "withdrawing the case", OPEN, WITHDRAWN,
            frozenset({R.village_cadre, R.town_officer, R.district_admin}),
        ),
    },
)  # fmt: skip
