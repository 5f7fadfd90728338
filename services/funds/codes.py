"""The funds service's code lists: stable English codes, each with its Chinese label."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import APIRouter

from shared.auth import CurrentPrincipal


class FundLevel(StrEnum):
    """资金层级 (第十二章第三节一; 专栏11 for the Wendeng cooperation)."""

    central = "central"
    provincial = "provincial"
    city = "city"
    district = "district"
    social = "social"
    wendeng = "wendeng"


class FundKind(StrEnum):
    special_poverty = "special_poverty"
    integrated_agricultural = "integrated_agricultural"
    first_secretary = "first_secretary"
    donation = "donation"
    cooperation = "cooperation"
    housing_renovation = "housing_renovation"
    other = "other"


class ProjectKind(StrEnum):
    industry = "industry"
    infrastructure = "infrastructure"
    housing_renovation = "housing_renovation"
    education = "education"
    health = "health"
    employment = "employment"
    solar_pv = "solar_pv"
    tourism = "tourism"
    ecommerce = "ecommerce"
    asset_income = "asset_income"
    other = "other"


class Stage(StrEnum):
    """项目程序 (第五章第三节二): each stage is recorded once, in this order."""

    proposed = "proposed"
    village_reviewed = "village_reviewed"
    town_reviewed = "town_reviewed"
    district_approved = "district_approved"
    agreement_signed = "agreement_signed"
    under_construction = "under_construction"
    accepted = "accepted"
    rejected = "rejected"


class PayeeKind(StrEnum):
    household = "household"  # into the household's 一卡通 account
    contractor = "contractor"  # 施工单位/供应商, against an invoice


LABELS: dict[str, dict[str, str]] = {
    "fund_level": {
        "central": "中央",
        "provincial": "省级",
        "city": "市级",
        "district": "区级",
        "social": "社会帮扶",
        "wendeng": "文登区协作帮扶",
    },
    "fund_kind": {
        "special_poverty": "财政专项扶贫资金",
        "integrated_agricultural": "统筹整合涉农资金",
        "first_secretary": "第一书记帮扶资金",
        "donation": "社会捐赠",
        "cooperation": "协作帮扶资金",
        "housing_renovation": "农村危房改造补助资金",
        "other": "其他",
    },
    "project_kind": {
        "industry": "产业扶贫",
        "infrastructure": "基础设施",
        "housing_renovation": "危房改造",
        "education": "教育扶贫",
        "health": "健康扶贫",
        "employment": "就业扶贫",
        "solar_pv": "光伏扶贫",
        "tourism": "乡村旅游扶贫",
        "ecommerce": "电商扶贫",
        "asset_income": "资产收益扶贫",
        "other": "其他",
    },
    "stage": {
        "proposed": "农户/村申请",
        "village_reviewed": "村集体评议、一榜公示",
        "town_reviewed": "镇级审核、二榜公示",
        "district_approved": "区审批、三榜公示",
        "agreement_signed": "签订协议",
        "under_construction": "组织实施",
        "accepted": "竣工验收",
        "rejected": "不予通过",
    },
    "payee_kind": {"household": "贫困户一卡通", "contractor": "施工单位/供应商"},
}

for _enum, _name in (
    (FundLevel, "fund_level"),
    (FundKind, "fund_kind"),
    (ProjectKind, "project_kind"),
    (Stage, "stage"),
    (PayeeKind, "payee_kind"),
):
    assert set(LABELS[_name]) == {m.value for m in _enum}, _name


def code_lists() -> dict[str, list[dict[str, str]]]:
    return {
        name: [{"code": code, "zh": zh} for code, zh in labels.items()]
        for name, labels in LABELS.items()
    }


router = APIRouter(prefix="/v1", tags=["codes"])
_EXAMPLE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/json": {"example": {"fund_level": [{"code": "central", "zh": "中央"}]}}
        }
    }
}


@router.get("/codes", summary="The funds code lists with their Chinese labels", responses=_EXAMPLE)
async def codes(_: CurrentPrincipal) -> dict[str, list[dict[str, str]]]:
    return code_lists()
