"""Staging tables of a bulk import: COPY in batch by batch, check across households, write.

Each batch is COPYed into small `batch_*` tables. A batch of new households whose people
are not current members anywhere (and not twice in the batch) is written to the registry
there and then, while the importer merges the next batch on the other core; any other
batch waits in the `imp_*` tables for the end, where departures go first (a person moving
between two households of the file). Either way the keys of every household and person
stay in `imp_*` for the checks across the whole file, which run before the commit.

Everything runs on the request's own connection inside its transaction: the temporary
tables vanish at commit (ON COMMIT DROP) or with a rollback, and a refused import rolls
back what was written early with everything else.
"""

# SQL text is built only from the fixed names in tables.py; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
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

# The sets whose rows of an early-written batch are still needed at the end, for the checks
# across the file; `written` marks those rows so that the end does not write them again.
_KEPT = ("household", "member")


_AMOUNTS = frozenset(tables.YEAR[tables.AMOUNTS])


def _as_staged(column: str) -> str:
    return f"{column}::text AS {column}" if column in _AMOUNTS else column


def _as_stored(column: str) -> str:
    return f"{column}::numeric" if column in _AMOUNTS else column


async def create(driver: Driver) -> None:
    for staged, (source, columns, extra) in tables.STAGING.items():
        kept = (("written", "boolean"),) if staged in _KEPT else ()
        select = ", ".join(map(_as_staged, columns))
        for name, added in ((f"batch_{staged}", extra), (f"imp_{staged}", extra + kept)):
            await driver.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
            await driver.execute(
                f"CREATE TEMP TABLE {name} ON COMMIT DROP AS SELECT {select} FROM {source} WITH NO DATA"
            )
            if added:
                adds = ", ".join(f"ADD COLUMN {n} {t}" for n, t in added)
                await driver.execute(f"ALTER TABLE {name} {adds}")


async def drop(driver: Driver) -> None:
    for staged in tables.STAGING:
        await driver.execute(f"DROP TABLE IF EXISTS pg_temp.batch_{staged}, pg_temp.imp_{staged}")


async def copy(driver: Driver, staged: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """One batch's rows of a set into its batch table."""
    if rows:
        await driver.copy_records_to_table(
            f"batch_{staged}", records=rows, columns=tables.staged_columns(staged)
        )


@dataclass(frozen=True, slots=True)
class Writer:
    """Who writes, for the audit log of every household written."""

    principal: Principal
    import_id: uuid.UUID
    request_id: str | None

    @property
    def audit_args(self) -> tuple[str, str, str | None, str]:
        p = self.principal
        return p.subject, p.role.value, self.request_id, str(self.import_id)


# A batch can be written early when nothing in it can collide on the registry's unique keys
# (户编号, and a current member's ID number and 人编号): only new households (the importer
# makes sure none of them is stored), no key twice in the batch, nobody who is a current
# member anywhere. Anything else waits for the end. The member table is searched by arrays
# of keys, so that only its indexes can serve: it grows during the import while its
# statistics do not, and a join would be planned as if it were still empty.
_EARLY = """SELECT
    NOT EXISTS (SELECT 1 FROM batch_household WHERE action <> 'create')
    AND (SELECT count(DISTINCT national_number) = count(*) FROM batch_household)
    AND (SELECT count(DISTINCT id_number_hash) = count(*)
                AND count(DISTINCT national_number) = count(national_number) FROM batch_member)
    AND NOT EXISTS (SELECT 1 FROM member WHERE left_on IS NULL
                    AND id_number_hash = ANY (ARRAY(SELECT id_number_hash FROM batch_member)))
    AND NOT EXISTS (SELECT 1 FROM member WHERE left_on IS NULL
                    AND national_number = ANY (ARRAY(SELECT national_number FROM batch_member)))"""


async def settle(driver: Driver, writer: Writer | None) -> None:
    """Write the batch now if it may go early, else keep it for the end; then empty the
    batch tables. `writer` is given only for a commit, with no error so far, of a batch
    none of whose households is stored (an `action` of create says only that none was
    when the batch was merged)."""
    early = False
    if writer is not None and await driver.fetchval(_EARLY):
        early = True
        for statement in _NEW_HOUSEHOLDS:
            await driver.execute(statement)
        await driver.execute(
            _AUDIT.format(source="batch_household", pending=""), *writer.audit_args
        )
        await driver.execute(_NEW_FEED)
    for staged in tables.STAGING:
        if staged in _KEPT:
            await driver.execute(
                f"INSERT INTO imp_{staged} SELECT *, $1 FROM batch_{staged}", early
            )
        elif not early:
            await driver.execute(f"INSERT INTO imp_{staged} SELECT * FROM batch_{staged}")
    await driver.execute(f"TRUNCATE {', '.join(f'batch_{s}' for s in tables.STAGING)}")


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
        # lists and no longer gives the person to releases them: a move). People written
        # early were nobody's current member when written, so only the others are looked at.
        """SELECT s.row, 0 AS first, count(*) OVER () AS total FROM imp_member s
           JOIN member m ON m.id_number_hash = s.id_number_hash AND m.left_on IS NULL
           WHERE NOT s.written AND m.household_id <> s.household_id
             AND NOT EXISTS (SELECT 1 FROM imp_household h WHERE h.id = m.household_id)""",
        "证件号码",
        _PERSON,
        RULE_PERSON_ONE_HOUSEHOLD,
    ),
    (
        """SELECT s.row, 0 AS first, count(*) OVER () AS total FROM imp_member s
           JOIN member m ON m.national_number = s.national_number AND m.left_on IS NULL
           WHERE NOT s.written AND m.household_id <> s.household_id
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
_INSERT_HOUSEHOLDS = f"""INSERT INTO household ({", ".join(_H)}, version)
    SELECT {", ".join(_H)}, 1 FROM {{source}} WHERE action = 'create' {{pending}} ORDER BY first_row"""
_INSERT_YEARS = f"""INSERT INTO household_year ({", ".join(tables.YEAR)})
    SELECT {", ".join(map(_as_stored, tables.YEAR))} FROM {{source}} WHERE changed
    ON CONFLICT (household_id, year) DO UPDATE SET {_excluded(tables.YEAR[2:])}"""
_INSERT_MEMBERS = f"""INSERT INTO member ({", ".join(_M)}, version)
    SELECT {", ".join(_M)}, 1 FROM {{source}} WHERE is_new {{pending}} ORDER BY row"""
_INSERT_MEMBER_YEARS = f"""INSERT INTO member_year ({", ".join(tables.MEMBER_YEAR)})
    SELECT {", ".join(tables.MEMBER_YEAR)} FROM {{source}} WHERE changed
    ON CONFLICT (member_id, year) DO UPDATE SET {_excluded(tables.MEMBER_YEAR[2:])}"""
_INSERT_WARNINGS = f"""INSERT INTO quality_warning ({", ".join(tables.WARNING)})
    SELECT {", ".join(f"w.{c}" for c in tables.WARNING)} FROM {{warnings}} w
    JOIN {{households}} h ON h.id = w.household_id WHERE h.action <> 'unchanged'"""

# An early batch: new households only, written in FK order.
_NEW_HOUSEHOLDS = (
    _INSERT_HOUSEHOLDS.format(source="batch_household", pending=""),
    _INSERT_YEARS.format(source="batch_household_year"),
    _INSERT_MEMBERS.format(source="batch_member", pending=""),
    _INSERT_MEMBER_YEARS.format(source="batch_member_year"),
    _INSERT_WARNINGS.format(warnings="batch_warning", households="batch_household"),
)
_PENDING = "AND NOT written"
# At the end: whatever was not written early (the year and warning tables hold only that),
# each statement with the name of what it binds as $1, if anything.
_APPLY: tuple[tuple[str, str | None], ...] = (
    # Departures first, so a person moving between two households of the file is free
    # when the other household takes them.
    (
        """UPDATE member t SET left_on = $1, leave_reason = 'other', version = t.version + 1
           FROM imp_household h
           WHERE t.household_id = h.id AND h.action = 'update' AND t.left_on IS NULL
             AND NOT EXISTS (SELECT 1 FROM imp_member s WHERE s.id = t.id)""",
        "left_on",
    ),
    (_INSERT_HOUSEHOLDS.format(source="imp_household", pending=_PENDING), None),
    (
        f"""UPDATE household t SET {_set(_H[1:], "s")}, version = t.version + 1,
            updated_at = now() FROM imp_household s WHERE s.id = t.id AND s.action = 'update'""",
        None,
    ),
    (_INSERT_YEARS.format(source="imp_household_year"), None),
    (_INSERT_MEMBERS.format(source="imp_member", pending=_PENDING), None),
    (
        f"""UPDATE member t SET {_MEMBER_SET}, version = t.version + 1
            FROM imp_member s WHERE s.id = t.id AND NOT s.is_new AND s.changed""",
        None,
    ),
    (_INSERT_MEMBER_YEARS.format(source="imp_member_year"), None),
    # The household-year's warnings are replaced by this write's, as on every write.
    (
        """DELETE FROM quality_warning q USING imp_household h
           WHERE q.household_id = h.id AND h.action = 'update' AND q.year = $1""",
        "year",
    ),
    (_INSERT_WARNINGS.format(warnings="imp_warning", households="imp_household"), None),
)
_AUDIT = """INSERT INTO audit_log
    (actor, actor_role, action, entity, entity_id, area_code, request_id, before, after)
    SELECT $1, $2, 'household.import', 'household', id::text, village_code, $3,
           audit_before, audit_after || jsonb_build_object('import_id', $4::text)
    FROM {source} WHERE action <> 'unchanged' {pending} ORDER BY first_row"""
# The feed says only that the household changed; a move also leaves its old village.
_FEED = """INSERT INTO change (entity, entity_id, op, area_code, payload)
    SELECT 'household', t.id::text, x.op, x.area, jsonb_build_object('version', t.version,
           'status', t.status)
    FROM imp_household s JOIN household t ON t.id = s.id
    CROSS JOIN LATERAL (VALUES (1, 'remove', s.moved_from), (2, 'upsert', t.village_code))
         AS x(n, op, area)
    WHERE s.action <> 'unchanged' AND NOT s.written AND x.area IS NOT NULL
    ORDER BY s.first_row, x.n"""
# A new household is at its first version, in its own village.
_NEW_FEED = """INSERT INTO change (entity, entity_id, op, area_code, payload)
    SELECT 'household', id::text, 'upsert', village_code,
           jsonb_build_object('version', 1, 'status', status)
    FROM batch_household ORDER BY first_row"""


async def apply(driver: Driver, writer: Writer, year: int) -> None:
    """Write every staged change not written early; departures are dated the end of the
    data year (or today while that year is running), so they are not counted in the year
    the file describes."""
    bound: dict[str, date | int] = {"left_on": min(date(year, 12, 31), date.today()), "year": year}
    for statement, name in _APPLY:
        await driver.execute(statement, *([bound[name]] if name else []))
    await driver.execute(
        _AUDIT.format(source="imp_household", pending=_PENDING), *writer.audit_args
    )
    await driver.execute(_FEED)
