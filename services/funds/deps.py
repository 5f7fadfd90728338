"""Dependencies specific to the funds service: upstream clients and the card cipher."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.funds.clients import EligibilityClient, RegistryClient
from shared.idcard import IdCipher


def _registry(request: Request) -> RegistryClient:
    client: RegistryClient = request.app.state.registry
    return client


def _optional_eligibility(request: Request) -> EligibilityClient | None:
    """None when FUNDS_ELIGIBILITY_URL is not set: a subsidy then answers 503, unpaid."""
    client: EligibilityClient | None = request.app.state.eligibility
    return client


def _card_cipher(request: Request) -> IdCipher:
    cipher: IdCipher = request.app.state.card_cipher
    return cipher


Registry = Annotated[RegistryClient, Depends(_registry)]
OptionalEligibility = Annotated[EligibilityClient | None, Depends(_optional_eligibility)]
CardCipher = Annotated[IdCipher, Depends(_card_cipher)]
