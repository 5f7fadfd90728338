"""Funds settings (env prefix FUNDS_)."""

from __future__ import annotations

import base64
import os

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class FundsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FUNDS_", env_file=".env", extra="ignore")

    database_name: str = "funds"
    port: int = 8003

    # The registry (payee households exist, in the caller's area) and the eligibility
    # service (a subsidy's amount). Without an eligibility URL, subsidy payments answer 503.
    registry_url: str = "http://127.0.0.1:8001"
    eligibility_url: str | None = None
    upstream_timeout_seconds: float = 10.0

    # base64 of 32 bytes: encrypts households' 一卡通 card numbers. Generated under
    # data_dir on a fresh machine.
    card_encryption_key: SecretStr | None = None

    def card_key(self) -> bytes:
        if self.card_encryption_key is not None:
            return base64.b64decode(self.card_encryption_key.get_secret_value())
        path = self.data_dir / "keys" / "card-number.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(os.urandom(32))
            path.chmod(0o600)
        return path.read_bytes()[:32]
