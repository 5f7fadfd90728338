"""Area scoping in the query: a record outside the caller's area does not exist for them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from shared.auth import AreaLevel, Principal


def area_clause(
    principal: Principal,
    *,
    village: ColumnElement[Any] | QueryableAttribute[Any],
    town: ColumnElement[Any] | QueryableAttribute[Any],
) -> ColumnElement[bool]:
    """WHERE clause limiting rows to the principal's district, town or village.

    Town and village codes are separate indexed columns, so each level is an equality,
    not a LIKE on a prefix.
    """
    match principal.level:
        case AreaLevel.village:
            return village == principal.area_code
        case AreaLevel.town:
            return town == principal.area_code
        case AreaLevel.district:
            return town.startswith(principal.area_code)
