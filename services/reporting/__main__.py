from services.reporting.main import MIGRATIONS, create_app
from services.reporting.settings import ReportingSettings
from shared.cli import main

main(ReportingSettings, create_app, MIGRATIONS)
