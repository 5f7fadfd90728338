from services.funds.main import MIGRATIONS, create_app
from services.funds.settings import FundsSettings
from shared.cli import main

main(FundsSettings, create_app, MIGRATIONS)
