from services.reporting.snapshots import models as _snapshots  # noqa: F401
from shared import models as _shared  # noqa: F401
from shared.db import Base
from shared.migrations import run_env

run_env(Base.metadata, lock_name="reporting-migrations")
