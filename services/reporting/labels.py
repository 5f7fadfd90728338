"""Chinese labels of the code lists the reports show (the registry's and funds' own lists,
copied: the services share no code). A code a list does not know is shown as itself."""

from __future__ import annotations

POVERTY_CAUSE = {
    "illness": "因病",
    "disability": "因残",
    "education": "因学",
    "disaster": "因灾",
    "lack_land": "缺土地",
    "lack_water": "缺水",
    "lack_skills": "缺技术",
    "lack_labour": "缺劳力",
    "lack_funds": "缺资金",
    "poor_transport": "交通条件落后",
    "lack_motivation": "自身发展动力不足",
    "marriage": "因婚",
    "funeral": "因丧",
    "other": "其他",
}
DESIGNATION = {"provincial": "省定", "city": "市定", "city_2018": "新认定(2018)"}
FUND_LEVEL = {
    "central": "中央",
    "provincial": "省级",
    "city": "市级",
    "district": "区级",
    "social": "社会帮扶",
    "wendeng": "文登区协作帮扶",
}
FUND_KIND = {
    "special_poverty": "财政专项扶贫资金",
    "integrated_agricultural": "统筹整合涉农资金",
    "first_secretary": "第一书记帮扶资金",
    "donation": "社会捐赠",
    "cooperation": "协作帮扶资金",
    "housing_renovation": "农村危房改造补助资金",
    "other": "其他",
}
PROJECT_KIND = {
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
}
UPSTREAM = {"registry": "建档立卡系统(registry)", "funds": "资金系统(funds)",
            "eligibility": "政策测算系统(eligibility)"}  # fmt: skip


def label(codes: dict[str, str], code: str | None) -> str | None:
    if code is None:
        return None
    return codes.get(code, code)
