"""The baseline of the HTTP benchmark: a bare FastAPI endpoint returning a small JSON.

Served with the same uvicorn settings as `python -m services.registry serve`.
usage: python bench/registry/bare_app.py PORT
"""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/v1/ping")
async def ping() -> dict[str, object]:
    return {"status": "ok", "service": "bare", "items": [1, 2, 3]}


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )
