"""A Hypothesis state machine drives the API with random allocations, payments, reversals,
retries and bad amounts, keeps its own model of every balance, and after every step
checks the API against the model and the books against the ledger invariants.

Each example runs in one transaction rolled back at its end. Hypothesis runs in a worker
thread; each step's HTTP calls run on the test's event loop, where the app lives.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from tests.funds.books import assert_books_balance
from tests.funds.factories import LONG_AGO, TODAY, TokenFactory, contractor_payment
from tests.funds.helpers import make_project, make_source, ok

T = TypeVar("T")
FEN = st.integers(min_value=1, max_value=150_000)


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


@dataclass
class Allocation:
    id: str
    source: str
    amount: int
    available: int
    reversed: bool = False


@dataclass
class Payment:
    id: str
    allocation: str
    amount: int
    reversed: bool = False


@dataclass
class Model:
    sources: dict[str, int] = field(default_factory=dict)  # id → available
    projects: list[str] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    sent: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)


def machine(
    app: FastAPI, engine: AsyncEngine, auth: TokenFactory, loop: asyncio.AbstractEventLoop
) -> type[RuleBasedStateMachine]:
    def run(coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=120)

    headers = auth(subject=f"prop-{uuid.uuid4().hex[:8]}")

    class Ledger(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model = Model()
            self.connection, self.client = run(self._begin())

        async def _begin(self) -> tuple[AsyncConnection, httpx.AsyncClient]:
            connection = await engine.connect()
            self.outer = await connection.begin()
            sessions = async_sessionmaker(
                bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
            self.real = app.state.sessionmaker
            app.state.sessionmaker = app.state.idempotency.sessionmaker = sessions
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://funds.test"
            )
            return connection, client

        async def _end(self) -> None:
            try:
                await assert_books_balance(self.connection)
            finally:
                app.state.sessionmaker = app.state.idempotency.sessionmaker = self.real
                await self.outer.rollback()
                await self.connection.close()
                await self.client.aclose()

        def teardown(self) -> None:
            run(self._end())

        def post(self, path: str, body: dict[str, Any], key: str | None = None) -> httpx.Response:
            extra = {"Idempotency-Key": key} if key else {}
            return run(self.client.post(path, json=body, headers={**headers, **extra}))

        @initialize(amounts=st.lists(st.integers(1_000, 500_000), min_size=2, max_size=2))
        def setup(self, amounts: list[int]) -> None:
            async def make() -> None:
                for fen in amounts:
                    source = await make_source(self.client, auth, amount=yuan(fen))
                    self.model.sources[source["id"]] = fen
                for _ in range(2):
                    project = await make_project(self.client, auth, budget="99999999.00")
                    self.model.projects.append(project["id"])

            run(make())

        @rule(pick=st.integers(0, 99), project=st.integers(0, 1), fen=FEN)
        def allocate(self, pick: int, project: int, fen: int) -> None:
            source = list(self.model.sources)[pick % len(self.model.sources)]
            body = {"source_id": source, "project_id": self.model.projects[project],
                    "amount": yuan(fen), "allocated_on": LONG_AGO.isoformat()}  # fmt: skip
            response = self.post("/v1/allocations", body)
            if fen <= self.model.sources[source]:
                made = ok(response)
                self.model.sources[source] -= fen
                self.model.allocations.append(Allocation(made["id"], source, fen, fen))
            else:
                assert response.status_code == 409, response.text
                assert response.json()["available"] == yuan(self.model.sources[source])

        @precondition(lambda self: self.model.allocations)
        @rule(pick=st.integers(0, 99), fen=FEN, keyed=st.booleans())
        def pay(self, pick: int, fen: int, keyed: bool) -> None:
            allocation = self.model.allocations[pick % len(self.model.allocations)]
            body = contractor_payment(allocation.id, yuan(fen))
            key = uuid.uuid4().hex if keyed else None
            response = self.post("/v1/disbursements", body, key)
            if fen <= allocation.available:
                made = ok(response)
                allocation.available -= fen
                self.model.payments.append(Payment(made["id"], allocation.id, fen))
                if key:
                    self.model.sent.append((key, body, made))
            else:
                assert response.status_code == 409, response.text

        @precondition(lambda self: self.model.sent)
        @rule(pick=st.integers(0, 99))
        def retry(self, pick: int) -> None:
            key, body, first = self.model.sent[pick % len(self.model.sent)]
            response = self.post("/v1/disbursements", body, key)
            assert response.status_code == 201
            assert response.headers["idempotent-replayed"] == "true"
            assert response.json() == first

        @precondition(lambda self: self.model.payments)
        @rule(pick=st.integers(0, 99))
        def reverse_payment(self, pick: int) -> None:
            payment = self.model.payments[pick % len(self.model.payments)]
            body = {"reversed_on": TODAY.isoformat(), "reason": "退回"}
            response = self.post(f"/v1/disbursements/{payment.id}/reversal", body)
            if payment.reversed:
                assert response.status_code == 409
                return
            ok(response)
            payment.reversed = True
            next(
                a for a in self.model.allocations if a.id == payment.allocation
            ).available += payment.amount

        @precondition(lambda self: self.model.allocations)
        @rule(pick=st.integers(0, 99))
        def reverse_allocation(self, pick: int) -> None:
            allocation = self.model.allocations[pick % len(self.model.allocations)]
            body = {"reversed_on": TODAY.isoformat(), "reason": "撤回"}
            response = self.post(f"/v1/allocations/{allocation.id}/reversal", body)
            if allocation.reversed or allocation.available < allocation.amount:
                assert response.status_code == 409, response.text
                return
            ok(response)
            allocation.reversed = True
            allocation.available -= allocation.amount
            self.model.sources[allocation.source] += allocation.amount

        @precondition(lambda self: self.model.allocations)
        @rule(pick=st.integers(0, 99), bad=st.sampled_from(["-1.00", "0.001", "1.234", "0", "x"]))
        def bad_amount(self, pick: int, bad: str) -> None:
            allocation = self.model.allocations[pick % len(self.model.allocations)]
            body = contractor_payment(allocation.id, "1.00")
            body["amount"] = bad
            response = self.post("/v1/disbursements", body)
            assert response.status_code == 422
            assert response.json()["errors"][0]["loc"] == ["body", "amount"]

        @invariant()
        def balances_match_the_model_and_the_books_balance(self) -> None:
            async def check() -> None:
                for source, available in self.model.sources.items():
                    read = ok(await self.client.get(f"/v1/sources/{source}", headers=headers), 200)
                    assert read["available"] == yuan(available)
                for allocation in self.model.allocations:
                    read = ok(
                        await self.client.get(f"/v1/allocations/{allocation.id}", headers=headers),
                        200,
                    )
                    assert read["available"] == yuan(allocation.available)
                    assert read["reversed"] == allocation.reversed
                await assert_books_balance(self.connection)

            if self.model.projects:
                run(check())

    return Ledger


async def test_the_ledger_holds_under_random_operations(
    funds_app: FastAPI, funds_engine: AsyncEngine, auth: TokenFactory
) -> None:
    ledger = machine(funds_app, funds_engine, auth, asyncio.get_running_loop())
    config = settings(
        max_examples=15,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    await asyncio.to_thread(run_state_machine_as_test, ledger, settings=config)
