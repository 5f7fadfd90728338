from services.registry.accounts import models as _accounts  # noqa: F401
from services.registry.areas import models as _areas  # noqa: F401
from services.registry.cadres import models as _cadres  # noqa: F401
from services.registry.households import models as _households  # noqa: F401
from shared.db import Base
from shared.migrations import run_env

run_env(Base.metadata, lock_name="registry-migrations")
