"""`./yc run` loads the demo once per database: whether it is there is asked of the database."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from launcher.stack import Service, Stack
from shared import migrations
from shared.embedded import drop_database

Stacks = Callable[[Path], Stack]


@pytest.fixture
def registry_stack(pg_admin_url: str) -> Iterator[Stacks]:
    """A registry-only stack on a database of its own (nothing started), data in `data_dir`."""
    made: list[Stack] = []

    def make(data_dir: Path) -> Stack:
        database = f"test_launcher_{uuid.uuid4().hex[:8]}"
        registry = Service("registry", 0, database)
        stack = Stack([registry], pg_admin_url, data_dir, {"admin": "x", registry.client_id: "y"})
        made.append(stack)
        return stack

    yield make
    for stack in made:
        drop_database(pg_admin_url, stack.registry.database)


def _add_town(stack: Stack) -> None:
    engine = sa.create_engine(migrations.sync_url(stack.database_url(stack.registry)))
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO town (code, name, kind) VALUES ('370404100', '坛山街道', '街道')"
                )
            )
    finally:
        engine.dispose()


def test_the_demo_is_loaded_once_per_database(registry_stack: Stacks, tmp_path: Path) -> None:
    first = registry_stack(tmp_path)
    first.migrate()
    assert not first.demo_loaded()
    _add_town(first)  # what a load leaves behind, at the least
    assert first.demo_loaded()

    # Another database with the same data folder (another URL, or the embedded database
    # dropped and made again) is empty: it gets the demo, whatever the first one holds.
    second = registry_stack(tmp_path)
    second.migrate()
    assert not second.demo_loaded()
    assert first.demo_loaded()
    assert not (tmp_path / "demo-loaded").exists()


def test_the_registry_gets_no_jwks_url_of_its_own(registry_stack: Stacks, tmp_path: Path) -> None:
    """It signs the tokens; a JWKS URL would make it trust another issuer instead."""
    stack = registry_stack(tmp_path)
    others = [Service(name, 0, name) for name in ("eligibility", "funds")]
    stack.services.extend(others)
    stack.secrets |= {s.client_id: "z" for s in others}
    env = stack.env()
    assert "REGISTRY_JWKS_URL" not in env
    assert env["FUNDS_JWKS_URL"] == env["ELIGIBILITY_JWKS_URL"]
    assert env["FUNDS_JWKS_URL"].endswith("/.well-known/jwks.json")
