"""Reporting settings (env prefix REPORTING_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", env_file=".env", extra="ignore")

    database_name: str = "reporting"
    port: int = 8004

    # The three services a report asks. Without an eligibility URL the parts that need it
    # are reported missing (never zero).
    registry_url: str = "http://127.0.0.1:8001"
    funds_url: str = "http://127.0.0.1:8003"
    eligibility_url: str | None = None

    # One HTTP call to an upstream: connect within min(this, 3 s), answer within this.
    upstream_timeout_seconds: float = Field(default=10.0, gt=0)
    # Tries of one idempotent call (GET) before the upstream counts as down.
    upstream_attempts: int = Field(default=2, ge=1, le=5)
    # Everything a report asks of one upstream (several calls, retries included) must be
    # done within this; past it the upstream's part is served from a snapshot or missing.
    upstream_deadline_seconds: float = Field(default=15.0, gt=0)
    # Circuit breaker per upstream: opens after this many failures in a row, and lets a
    # trial call through after `breaker_reset_seconds`.
    breaker_threshold: int = Field(default=5, ge=1)
    breaker_reset_seconds: float = Field(default=15.0, gt=0)

    # Snapshots of each upstream's part of a report, per report, role, area and parameters.
    # Younger than `snapshot_fresh_seconds` (0: never) a part is served without asking the
    # upstream, marked "cached"; when the upstream is down, a snapshot up to
    # `snapshot_max_age_seconds` old is served, marked "cached" with its age.
    snapshot_fresh_seconds: float = Field(default=0.0, ge=0)
    snapshot_max_age_seconds: float = Field(default=900.0, ge=0)
    # Snapshots kept in memory by each replica (the database keeps them all).
    snapshot_memory_entries: int = Field(default=512, ge=1)
    # A replica writes a part's snapshot to the database at most this often.
    snapshot_write_interval_seconds: float = Field(default=5.0, ge=0)
