"""Registry settings (env prefix REGISTRY_)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", env_file=".env", extra="ignore")

    database_name: str = "registry"
    port: int = 8001
    # Ed25519 PEM files, one per key id; generated under data_dir on a fresh machine.
    signing_keys_dir: Path | None = None
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_days: int = 30
    # base64 of 32 bytes each; generated under data_dir on a fresh machine.
    id_encryption_key: SecretStr | None = None
    id_lookup_key: SecretStr | None = None

    # The first district administrator, created once when no account exists.
    bootstrap_admin_username: str = "admin"
    bootstrap_admin_password: SecretStr | None = None
    # Accounts the other services use for the client-credentials grant (role `service`),
    # e.g. {"svc-eligibility": "<secret>"}; created or re-keyed at start.
    service_clients: dict[str, SecretStr] = Field(default_factory=dict)

    @property
    def keys_dir(self) -> Path:
        return self.signing_keys_dir or self.data_dir / "keys" / "signing"

    def id_keys(self) -> tuple[bytes, bytes]:
        """The ID-number encryption and look-up keys, from settings or the local key file."""
        if self.id_encryption_key and self.id_lookup_key:
            return (
                base64.b64decode(self.id_encryption_key.get_secret_value()),
                base64.b64decode(self.id_lookup_key.get_secret_value()),
            )
        path = self.data_dir / "keys" / "id-number.keys"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(os.urandom(64))
            path.chmod(0o600)
        raw = path.read_bytes()
        return raw[:32], raw[32:64]
