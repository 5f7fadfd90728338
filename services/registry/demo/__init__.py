"""The demo district: 峄城区 generated from the plan's own tables, reproducibly.

`generate_district()` builds the 7 towns, 345 villages, 专栏1's key-village designations,
yearly village records and the registered households whose totals reproduce the plan's
(专栏2 per town and year, 第一章 per cause); `write_flat_file()` streams the households as
an exchange file that the registry imports. `generate_households(n)` makes any number of
valid households for benchmarks.
"""

from services.registry.demo.district import (
    DATA_YEAR,
    DEFAULT_SEED,
    generate_district,
    generate_households,
    write_flat_file,
    write_households,
)
from services.registry.demo.model import (
    DemoDistrict,
    KeyDesignation,
    Town,
    Village,
    VillageYear,
)

__all__ = [
    "DATA_YEAR",
    "DEFAULT_SEED",
    "DemoDistrict",
    "KeyDesignation",
    "Town",
    "Village",
    "VillageYear",
    "generate_district",
    "generate_households",
    "write_flat_file",
    "write_households",
]
