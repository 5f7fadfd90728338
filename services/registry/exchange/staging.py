"""Staging tables of a bulk import: COPY in, check across households, write set-based.

Everything runs on the request's own connection inside its transaction: the temporary
tables vanish at commit (ON COMMIT DROP) or with a rollback, so a refused import leaves
nothing behind, and the final statements move all households at once.
"""

# SQL text is built only from the fixed names in tables.py; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from services.registry.exchange import tables
from services.registry.exchange.stored import Driver
from services.registry.households.quality import RULE_PERSON_ONE_HOUSEHOLD
from shared.auth import Principal
from shared.errors import FieldError

# One import at a time: two concurrent files touching the same households would deadlock
# or race on the one-person-one-household index.
IMPORT_LOCK = 370404_0001


async def create(driver: Driver) -> None:
    for name, (source, columns, extra) in tables.STAGING.items():
        await driver.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
        await driver.execute(
            f"CREATE TEMP TABLE {name} ON COMMIT DROP AS"
            f" SELECT {', '.join(columns)} FROM {source} WITH NO DATA"
        )
        if extra:
            adds = ", ".join(f"ADD COLUMN {n} {t}" for n, t in extra)
            await driver.execute(f"ALTER TABLE {name} {adds}")


async def drop(driver: Driver) -> None:
    for name in tables.STAGING:
        await driver.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")


async def copy(driver: Driver, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    if rows:
        await driver.copy_records_to_table(
            table, records=rows, columns=tables.staged_columns(table)
        )


# --- checks across households --------------------------------------------------------------

_PERSON = "此人已是其他贫困户的成员 / this person is already a member of a registered household"
_CHECKS: tuple[tuple[str, str, str, str], ...] = (
    (
        # 户编号 twice: a household's rows must be consecutive.
        """WITH d AS (SELECT first_row AS row, min(first_row) OVER (PARTITION BY national_number)
                      AS first FROM imp_household)
           SELECT row, first, count(*) OVER () AS total FROM d WHERE row > first""",
        "户编号",
        "户编号与第{first}行重复：一户的各行须连续 / the household number repeats row {first}; "
        "a household's rows must be consecutive",
        "household.number_repeated",
    ),
    (
        """WITH d AS (SELECT row, min(row) OVER (PARTITION BY id_number_hash) AS first
                      FROM imp_member)
           SELECT row, first, count(*) OVER () AS total FROM d WHERE row > first""",
        "证件号码",
        "同一人在文件中出现两次（第{first}行） / the same person is also on row {first}",
        RULE_PERSON_ONE_HOUSEHOLD,
    ),
    (
        """WITH d AS (SELECT row, min(row) OVER (PARTITION BY national_number) AS first
                      FROM imp_member WHERE national_number IS NOT NULL)
           SELECT row, first, count(*) OVER () AS total FROM d WHERE row > first""",
        "人编号",
        "人编号与第{first}行重复 / the person number repeats row {first}",
        "person.number_repeated",
    ),
    (
        # A current member of a household the file does not list (a household the file
        # lists and no longer gives the person to releases them: a move).
        """SELECT s.row, 0 AS first, count(*) OVER () AS total FROM imp_member s
           JOIN member m ON m.id_number_hash = s.id_number_hash AND m.left_on IS NULL
           WHERE m.household_id <> s.household_id
             AND NOT EXISTS (SELECT 1 FROM imp_household h WHERE h.id = m.household_id)""",
        "证件号码",
        _PERSON,
        RULE_PERSON_ONE_HOUSEHOLD,
    ),
    (
        """SELECT s.row, 0 AS first, count(*) OVER () AS total FROM imp_member s
           JOIN member m ON m.national_number = s.national_number AND m.left_on IS NULL
           WHERE m.household_id <> s.household_id
             AND NOT EXISTS (SELECT 1 FROM imp_household h WHERE h.id = m.household_id)""",
        "人编号",
        "人编号已属于其他贫困户的成员 / the person number belongs to a member of another household",
        "person.number_taken",
    ),
)


# One ANALYZE, of the columns the checks and the writes join and filter on: the planner
# then knows the staging tables' sizes and keys (hash joins against member, not nested
# loops). The other staging tables are only read whole, in order; statistics on every
# column of all five cost more than the statements they would plan.
_ANALYZE = (
    "ANALYZE imp_household (id, national_number, action),"
    " imp_member (id, household_id, id_number_hash, national_number)"
)


async def check(driver: Driver, limit: int) -> tuple[list[FieldError], int]:
    """Errors that only the whole file (and the database) can show: (listed, total)."""
    await driver.execute(_ANALYZE)
    listed: list[FieldError] = []
    total = 0
    for query, header, message, rule in _CHECKS:
        rows = await driver.fetch(f"{query} ORDER BY row LIMIT $1", max(limit - len(listed), 1))
        if not rows:
            continue
        total += rows[0]["total"]
        for r in rows[: max(limit - len(listed), 0)]:
            listed.append(
                FieldError(("row", r["row"], header), message.format(first=r["first"]), rule)
            )
    return listed, total


# --- writing ----------------------------------------------------------------------------------


def _set(columns: Sequence[str], source: str) -> str:
    return f"({', '.join(columns)}) = ({', '.join(f'{source}.{c}' for c in columns)})"


def _excluded(columns: Sequence[str]) -> str:
    return ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)


_H = tables.HOUSEHOLD
_M = tables.MEMBER
_MEMBER_SET = ", ".join(
    f"{c} = COALESCE(s.{c}, t.{c})" if c == "id_number_cipher" else f"{c} = s.{c}" for c in _M[2:]
)
_APPLY = (
    # Departures first, so a person moving between two households of the file is free
    # when the other household takes them.
    """UPDATE member t SET left_on = $1, leave_reason = 'other', version = t.version + 1
       FROM imp_household h
       WHERE t.household_id = h.id AND h.action = 'update' AND t.left_on IS NULL
         AND NOT EXISTS (SELECT 1 FROM imp_member s WHERE s.id = t.id)""",
    f"""INSERT INTO household ({", ".join(_H)}, version)
        SELECT {", ".join(_H)}, 1 FROM imp_household WHERE action = 'create' ORDER BY first_row""",
    f"""UPDATE household t SET {_set(_H[1:], "s")}, version = t.version + 1, updated_at = now()
        FROM imp_household s WHERE s.id = t.id AND s.action = 'update'""",
    f"""INSERT INTO household_year ({", ".join(tables.YEAR)})
        SELECT {", ".join(tables.YEAR)} FROM imp_household_year WHERE changed
        ON CONFLICT (household_id, year) DO UPDATE SET {_excluded(tables.YEAR[2:])}""",
    f"""INSERT INTO member ({", ".join(_M)}, version)
        SELECT {", ".join(_M)}, 1 FROM imp_member WHERE is_new ORDER BY row""",
    f"""UPDATE member t SET {_MEMBER_SET}, version = t.version + 1
        FROM imp_member s WHERE s.id = t.id AND NOT s.is_new AND s.changed""",
    f"""INSERT INTO member_year ({", ".join(tables.MEMBER_YEAR)})
        SELECT {", ".join(tables.MEMBER_YEAR)} FROM imp_member_year WHERE changed
        ON CONFLICT (member_id, year) DO UPDATE SET {_excluded(tables.MEMBER_YEAR[2:])}""",
    # The household-year's warnings are replaced by this write's, as on every write.
    """DELETE FROM quality_warning q USING imp_household h
       WHERE q.household_id = h.id AND h.action = 'update' AND q.year = $1""",
    f"""INSERT INTO quality_warning ({", ".join(tables.WARNING)})
        SELECT {", ".join(f"w.{c}" for c in tables.WARNING)} FROM imp_warning w
        JOIN imp_household h ON h.id = w.household_id WHERE h.action <> 'unchanged'""",
)
_AUDIT = """INSERT INTO audit_log
    (actor, actor_role, action, entity, entity_id, area_code, request_id, before, after)
    SELECT $1, $2, 'household.import', 'household', id::text, village_code, $3,
           audit_before, audit_after || jsonb_build_object('import_id', $4::text)
    FROM imp_household WHERE action <> 'unchanged' ORDER BY first_row"""
# The feed says only that the household changed; a move also leaves its old village.
_FEED = """INSERT INTO change (entity, entity_id, op, area_code, payload)
    SELECT 'household', t.id::text, x.op, x.area, jsonb_build_object('version', t.version,
           'status', t.status)
    FROM imp_household s JOIN household t ON t.id = s.id
    CROSS JOIN LATERAL (VALUES (1, 'remove', s.moved_from), (2, 'upsert', t.village_code))
         AS x(n, op, area)
    WHERE s.action <> 'unchanged' AND x.area IS NOT NULL
    ORDER BY s.first_row, x.n"""


async def apply(
    driver: Driver,
    principal: Principal,
    year: int,
    *,
    import_id: uuid.UUID,
    request_id: str | None,
) -> None:
    """Write every staged change; departures are dated the end of the data year (or today
    while that year is running), so they are not counted in the year the file describes."""
    left_on = min(date(year, 12, 31), date.today())
    for statement in _APPLY:
        if "$1" in statement:
            param: date | int = year if "quality_warning q" in statement else left_on
            await driver.execute(statement, param)
        else:
            await driver.execute(statement)
    await driver.execute(
        _AUDIT, principal.subject, principal.role.value, request_id, str(import_id)
    )
    await driver.execute(_FEED)
