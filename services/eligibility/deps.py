"""Dependencies of the eligibility service: the current parameters, the registry client and
the run manager."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.eligibility.parameters.store import ParameterSet
from services.eligibility.policy.service import ParameterCache
from services.eligibility.registry_client import RegistryClient
from services.eligibility.runs.manager import RunManager
from shared.db import DbSession


async def _parameters(request: Request, session: DbSession) -> ParameterSet:
    cache: ParameterCache = request.app.state.parameters
    return await cache.current(session)


async def _parameters_revision(request: Request, session: DbSession) -> tuple[ParameterSet, str]:
    cache: ParameterCache = request.app.state.parameters
    return await cache.current_with_revision(session)


def _registry(request: Request) -> RegistryClient:
    client: RegistryClient = request.app.state.registry
    return client


Params = Annotated[ParameterSet, Depends(_parameters)]
ParamsRevision = Annotated[tuple[ParameterSet, str], Depends(_parameters_revision)]
Registry = Annotated[RegistryClient, Depends(_registry)]


def _runs(request: Request) -> RunManager:
    manager: RunManager = request.app.state.runs
    return manager


Runs = Annotated[RunManager, Depends(_runs)]
