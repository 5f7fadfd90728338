"""`python -m services.registry migrate|serve|load-demo`.

`migrate` and `serve` are every service's (shared.cli); `load-demo` loads the demo district
through the import path (services.registry.demo.loader).
"""

import sys

from services.registry.main import MIGRATIONS, create_app
from services.registry.settings import RegistrySettings
from shared.cli import main


def _load_demo(argv: list[str]) -> None:
    import argparse

    from services.registry.demo.district import DEFAULT_SEED
    from services.registry.demo.loader import describe, run

    parser = argparse.ArgumentParser(
        prog="python -m services.registry load-demo",
        description="Load the demo district (峄城区) through the import path; idempotent.",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    print(describe(run(RegistrySettings(), seed=args.seed)))


if len(sys.argv) > 1 and sys.argv[1] == "load-demo":
    _load_demo(sys.argv[2:])
else:
    main(RegistrySettings, create_app, MIGRATIONS)
