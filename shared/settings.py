"""Typed settings shared by every service; each service reads its own env prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What every service needs. Subclasses set `env_prefix` (REGISTRY_, FUNDS_, ...)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # None means: start the embedded PostgreSQL under `data_dir` (a fresh machine).
    database_url: str | None = None
    database_name: str = "yicheng"
    data_dir: Path = Path(".var")
    db_pool_size: int = Field(default=10, ge=1)

    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True

    jwt_issuer: str = "yicheng-registry"
    jwt_audience: str = "yicheng"
    # Where a service fetches the public keys that verify its tokens: the registry's JWKS
    # for the other services, or an external OIDC provider's for any of them, the registry
    # included (its own /v1/auth/token then issues tokens nobody accepts). Unset on the
    # registry, it verifies with its own signing keys.
    jwks_url: str | None = None

    # Phones replay their outbox after long offline spells, so keys outlive a week.
    idempotency_ttl_days: int = Field(default=30, ge=1)
    # A claim older than this is taken to belong to a crashed worker.
    idempotency_stale_seconds: int = Field(default=300, ge=1)

    # OTLP/HTTP traces endpoint (e.g. http://otel-collector:4318/v1/traces); none: no export,
    # and spans are not recorded unless OTEL_TRACES_SAMPLER is set (shared.tracing).
    otlp_endpoint: str | None = None

    service_client_id: str | None = None
    service_client_secret: SecretStr | None = None

    @property
    def service_name(self) -> str:
        prefix = str(self.model_config.get("env_prefix", ""))
        return prefix.rstrip("_").lower() or "service"
