"""The server's clock, injectable: notice periods are enforced on it, tests replace it.

`app.state.clock` is a callable returning an aware datetime; nothing in the service reads
the time any other way, so a test can move time forward past a notice period.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def _now(request: Request) -> datetime:
    clock: Clock = request.app.state.clock
    now = clock()
    if now.tzinfo is None:
        raise RuntimeError("the clock must return an aware datetime")
    return now


Now = Annotated[datetime, Depends(_now)]
