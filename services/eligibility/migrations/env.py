from services.eligibility.cases import models as _cases  # noqa: F401
from services.eligibility.policy import models as _policy  # noqa: F401
from services.eligibility.runs import models as _runs  # noqa: F401
from services.eligibility.village_cases import models as _village_cases  # noqa: F401
from shared import models as _shared  # noqa: F401
from shared.db import Base
from shared.migrations import run_env

run_env(Base.metadata, lock_name="eligibility-migrations")
