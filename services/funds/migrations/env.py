from services.funds.allocations import models as _allocations  # noqa: F401
from services.funds.assets import models as _assets  # noqa: F401
from services.funds.disbursements import models as _disbursements  # noqa: F401
from services.funds.ledger import models as _ledger  # noqa: F401
from services.funds.payees import models as _payees  # noqa: F401
from services.funds.projects import models as _projects  # noqa: F401
from services.funds.sources import models as _sources  # noqa: F401
from shared import models as _shared  # noqa: F401
from shared.db import Base
from shared.migrations import run_env

run_env(Base.metadata, lock_name="funds-migrations")
