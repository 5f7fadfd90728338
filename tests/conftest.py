"""Test databases: a real PostgreSQL, the configured one or the embedded one.

`YICHENG_TEST_DATABASE_URL` points the suite at a server (an admin URL: the suite creates
and drops its own databases there); without it the embedded server under `.var/` is used.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.embedded import drop_database, ensure_database, start_embedded, with_database

ROOT = Path(__file__).resolve().parents[1]

# Services record spans only when something collects them (shared.tracing): the suite's
# in-memory exporters do, so every app built here samples as a collector-fed one would.
os.environ.setdefault("OTEL_TRACES_SAMPLER", "parentbased_always_on")


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    configured = os.environ.get("YICHENG_TEST_DATABASE_URL")
    return configured or start_embedded(ROOT / ".var")


@pytest.fixture(scope="session")
def make_database(pg_admin_url: str) -> Iterator[callable]:  # type: ignore[valid-type]
    """Create uniquely named databases for this run; drop them all at the end."""
    created: list[str] = []

    def make(prefix: str) -> str:
        name = f"test_{prefix}_{uuid.uuid4().hex[:8]}"
        ensure_database(pg_admin_url, name)
        created.append(name)
        return with_database(pg_admin_url, name)

    yield make
    for name in created:
        drop_database(pg_admin_url, name)
