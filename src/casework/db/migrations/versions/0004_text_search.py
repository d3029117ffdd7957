"""text search: an index over case titles, descriptions and comments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 06:30:00.000000

PostgreSQL: a stored, generated tsvector column on cases (title and description) and on comments (body), each with a
GIN index. Generated columns rather than expression indexes: a list walked in its sort order tests each row against
the query, and reading a stored vector costs about a microsecond where recomputing it costs tens. Adding the columns
rewrites both tables (about two minutes per million cases). Accents are folded with normalize() rather than the
unaccent extension, which CREATE EXTENSION would have to install database-wide.

SQLite: FTS5 tables over the same columns (external content: the text stays in cases and comments only), kept by
triggers in the writer's transaction, as an index is: every writer (services, bulk changes, imports) keeps the index
without knowing of it, which explicit writes in the services could not promise. A later migration that rebuilds cases or comments (batch mode)
drops these triggers with the old table and changes the rows' rowids, which the FTS tables key on: it must recreate
the triggers and run each table's 'rebuild' command.

Neither is declared in Base.metadata; casework.cases.text_search says how the comparison skips them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Accents off (é -> e), punctuation to spaces (host.example.com -> host example com), so that the words match the
# ones casework.cases.text_search.words() takes from a query and SQLite's unicode61 tokenizer sees.
_FOLDED = r"regexp_replace(regexp_replace(normalize({text}, NFD), '[\u0300-\u036f]', '', 'g'), '[[:punct:]]', ' ', 'g')"
# Without positions (strip): no query of ours needs them.
_VECTOR = "strip(to_tsvector('simple', " + _FOLDED + "))"

# table -> its indexed columns
_SQLITE_TABLES = {"cases": ("title", "description"), "comments": ("body",)}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, text in (("cases", "title || ' ' || description"), ("comments", "body")):
            vector = _VECTOR.format(text=text)
            op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED")
        op.execute("CREATE INDEX ix_cases_search ON cases USING gin (search_vector)")
        op.execute("CREATE INDEX ix_comments_search ON comments USING gin (search_vector)")
        return
    for table, columns in _SQLITE_TABLES.items():
        index = f"{table}_search"
        listed = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        # detail=none, columnsize=0: matching whole words needs neither positions nor sizes.
        op.execute(
            f"CREATE VIRTUAL TABLE {index} USING fts5({listed}, content='{table}', content_rowid='rowid', "
            "tokenize='unicode61 remove_diacritics 2', detail=none, columnsize=0)"
        )
        op.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")
        insert = f"INSERT INTO {index}(rowid, {listed}) VALUES (new.rowid, {new});"
        delete = f"INSERT INTO {index}({index}, rowid, {listed}) VALUES ('delete', old.rowid, {old});"
        op.execute(f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {delete} END")
        op.execute(f"CREATE TRIGGER {index}_update AFTER UPDATE OF {listed} ON {table} BEGIN {delete} {insert} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_comments_search")
        op.execute("DROP INDEX ix_cases_search")
        op.execute("ALTER TABLE comments DROP COLUMN search_vector")
        op.execute("ALTER TABLE cases DROP COLUMN search_vector")
        return
    for table in _SQLITE_TABLES:
        index = f"{table}_search"
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER {index}_{event}")
        op.execute(f"DROP TABLE {index}")
