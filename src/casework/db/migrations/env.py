from alembic import context
from sqlalchemy import text

from casework.cases.text_search import include_name
from casework.db.migrations.tables import Base

# Any constant shared by every casework process: processes starting at once against one PostgreSQL database
# migrate one after the other, and each later one finds the schema current.
MIGRATION_LOCK = 7_201_000

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a SQLite table by copy, drop and rename; the drop must not trip its referrers.
        # Set on the driver's connection: inside a transaction (SQLAlchemy would begin one) the pragma is ignored.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        # The engine begins a write transaction with BEGIN IMMEDIATE: the write lock is taken before the current
        # revision is read, so a second process waits, then finds the schema current.
        connection.execution_options(write=True)
        connection.execute(text("SELECT 1"))
    else:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.execute(text("PRAGMA foreign_key_check")).all()
            if broken:
                raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")
    connection.commit()
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
