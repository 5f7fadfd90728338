from services.registry.main import MIGRATIONS, create_app
from services.registry.settings import RegistrySettings
from shared.cli import main

main(RegistrySettings, create_app, MIGRATIONS)
