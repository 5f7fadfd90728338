"""The real eligibility service with a clock the end-to-end test can move forward.

Notice periods run on the server's clock (`create_app(clock=...)`); a process cannot be
handed a Python callable, so this entry point reads an offset in seconds from a file the
test writes. Everything else is `python -m services.eligibility serve`.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn

from services.eligibility.main import create_app
from services.eligibility.settings import EligibilitySettings


def main() -> None:
    offset_file = Path(sys.argv[1])

    def clock() -> datetime:
        text = offset_file.read_text().strip() if offset_file.exists() else ""
        return datetime.now(UTC) + timedelta(seconds=float(text or 0))

    settings = EligibilitySettings()
    uvicorn.run(create_app(settings, clock=clock), host=settings.host, port=settings.port,
                log_config=None, access_log=False)  # fmt: skip


if __name__ == "__main__":
    main()
