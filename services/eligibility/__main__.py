from services.eligibility.main import MIGRATIONS, create_app
from services.eligibility.settings import EligibilitySettings
from shared.cli import main

main(EligibilitySettings, create_app, MIGRATIONS)
