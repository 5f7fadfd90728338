"""Eligibility settings (env prefix ELIGIBILITY_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class EligibilitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ELIGIBILITY_", env_file=".env", extra="ignore")

    database_name: str = "eligibility"
    port: int = 8002

    # The registry: household and village facts (with the caller's token, so its area
    # scoping applies), and the exit status it records (with this service's token).
    registry_url: str = "http://127.0.0.1:8001"
    upstream_timeout_seconds: float = Field(default=10.0, gt=0)
    # The registry's streamed bulk export (NDJSON: one GET /v1/households/{id} body per
    # line, `?year=&area=`), the only source of batch runs: a registry that does not serve
    # it fails them with an upstream error naming the path.
    registry_export_path: str = "/v1/exports/households.jsonl"

    # Batch runs: households per stored chunk, and how long a run may go without a
    # heartbeat before another replica's start declares it interrupted.
    run_chunk_size: int = Field(default=1000, ge=1)
    run_stale_minutes: int = Field(default=10, ge=1)
