"""The app's process-wide setup at startup."""

import gc

from casework.app import create_app
from casework.db.database import Database
from casework.settings import Settings


async def test_startup_moves_what_it_built_out_of_the_garbage_collectors_reach(db: Database, settings: Settings):
    app = create_app(settings.model_copy(update={"sla_worker": False}), db)
    gc.unfreeze()
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
