"""Column lists the bulk import stages and writes, in one place.

Staging rows are tuples in exactly these orders: the importer builds them, COPY sends them
into temporary tables created from the real ones, and set-based statements move them on.
Stored rows are read back in the same orders, so "unchanged" is a tuple comparison.
"""

from __future__ import annotations

from typing import Any

HOUSEHOLD = (
    "id",
    "national_number",
    "village_code",
    "town_code",
    "natural_village",
    "identification_standard",
    "identification_year",
    "assistance_type",
    "status",
    "exit_year",
    "main_cause",
    "other_causes",
    "phone",
)
# After the household's own columns: bookkeeping of the import.
HOUSEHOLD_EXTRA = (
    ("first_row", "integer"),
    ("action", "text"),  # create | update | unchanged
    ("moved_from", "text"),  # the old village of a household the file moves
    ("audit_before", "jsonb"),
    ("audit_after", "jsonb"),
)

YEAR = (
    "household_id",
    "year",
    "wage_income",
    "operating_income",
    "property_income",
    "family_planning_income",
    "dibao_income",
    "tekun_income",
    "pension_income",
    "ecological_income",
    "other_transfer_income",
    "operating_expenses",
    "one_off_income",
    "per_capita_net_income",
    "arable_land_mu",
    "housing_area_m2",
    "house_grade",
    "drinking_water_safe",
    "drinking_water_difficult",
    "relocation",
    "relocated_moved_in",
    "food_secure",
    "clothing_secure",
    "expenditure_poverty",
)
CHANGED = (("changed", "boolean"),)
# The year's amounts (元, 亩, m²: wage_income … housing_area_m2) are staged as text and cast
# back by PostgreSQL: asyncpg's binary encoding of a Decimal costs the importer's Python
# about 1 µs a value, and a household-year has fourteen.
AMOUNTS = slice(2, 16)


def staged_year(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A YEAR row as staged: its amounts as text."""
    amounts = [None if v is None else str(v) for v in row[AMOUNTS]]
    return (*row[: AMOUNTS.start], *amounts, *row[AMOUNTS.stop :])


MEMBER = (
    "id",
    "household_id",
    "national_number",
    "name",
    "id_number_cipher",  # NULL in staging when the stored ciphertext stays
    "id_number_hash",
    "id_number_masked",
    "sex",
    "birth_date",
    "ethnicity",
    "relation",
    "phone",
)
MEMBER_EXTRA = (("row", "integer"), ("is_new", "boolean"), ("changed", "boolean"))

MEMBER_YEAR = (
    "member_id",
    "year",
    "education",
    "school_status",
    "dropped_out",
    "dropout_for_poverty",
    "health",
    "disability_category",
    "disability_grade",
    "labour",
    "work_status",
    "work_months",
    "basic_medical_insured",
    "critical_illness_insured",
    "commercial_insured",
    "pension_insured",
    "dibao",
    "tekun",
    "active_soldier",
)

WARNING = ("household_id", "year", "rule", "severity", "message", "field")

# staged set -> (real table it copies column types from, its columns, extra columns). Each
# set has two temporary tables: `batch_<set>` takes one batch's COPY, `imp_<set>` keeps what
# the end of the import needs from every batch (see staging.py).
STAGING: dict[str, tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]] = {
    "household": ("household", HOUSEHOLD, HOUSEHOLD_EXTRA),
    "household_year": ("household_year", YEAR, CHANGED),
    "member": ("member", MEMBER, MEMBER_EXTRA),
    "member_year": ("member_year", MEMBER_YEAR, CHANGED),
    "warning": ("quality_warning", WARNING, ()),
}


def staged_columns(staged: str) -> list[str]:
    _, columns, extra = STAGING[staged]
    return [*columns, *(name for name, _ in extra)]
