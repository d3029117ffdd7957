"""Text search over cases: `GET /cases?q=...`.

What matches: q is read as plain words, never as query syntax: a word is a run of letters and digits, anything
else only separates words (`"foo`, `a AND (` and `host.example.com` are the words foo; a, AND; host, example, com).
A case matches when every word is in its title and description together, or every word is in one of its comments
(with `q_match=any`: when any word is in either; with `q_comments=false`, comments are left out).
Whole words, in any case, accents ignored (é matches e, ü matches u: the marks Unicode decomposes; ø, ł and ß stay
letters of their own). A q without any letter or digit is refused (422 naming q). No prefix matching: on SQLite a
prefix query gathers every match of the prefix first, which doubles the cost of common words.

The index (migration 0004, outside Base.metadata; `include_name` below keeps the schema comparison off it):
- PostgreSQL: generated `search_vector` columns (tsvector, 'simple' configuration, accents and punctuation folded
  as `words()` folds them) on cases and comments, each with a GIN index.
- SQLite: FTS5 tables cases_search and comments_search (unicode61, diacritics removed) over the same columns,
  kept by triggers.

How a page is found. Matches do not come in the list's order, so the cost depends on how many documents match:
few are each looked up and sorted; many make the list's own order the faster way, testing each case in turn until
the page is full. PostgreSQL's planner weighs the two from its statistics, separately for the cases matched by
their text and those matched by a comment (each a sorted, limited subquery of the page). SQLite has no statistics
for FTS5: a capped count of the matching documents decides, then, for many, the share of the newest cases that
match says whether to gather all the matches before walking or to probe the index case by case.
"""

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Exists,
    Select,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import column

from casework.cases.models import Case
from casework.comments.models import Comment
from casework.db.statements import count_up_to
from casework.errors import InvalidInput
from casework.i18n import _

if TYPE_CHECKING:
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

_WORD = re.compile(r"[^\W_]+")
# Combining accents, as NFD leaves them after their letter (the range migration 0004 removes on PostgreSQL).
_ACCENTS = re.compile("[\u0300-\u036f]")

# SQLite: with fewer matching documents (cases' texts and comments) than this, looking each up is the faster plan.
LOOKUP_AT_MOST = 5_000
# SQLite: with at least this share of the newest RECENT cases matching by their text, a page fills within a few
# hundred cases of the list, and testing each against the FTS5 index beats gathering all the matches first.
PROBE_FROM = 0.07
RECENT = 1_000

_CASES_FTS, _COMMENTS_FTS = table("cases_search", column("rowid")), table("comments_search", column("rowid"))


def words(q: str) -> list[str]:
    """The words of q, accents removed; 422 naming q if it has none."""
    found = _WORD.findall(_ACCENTS.sub("", unicodedata.normalize("NFD", q)))
    if not found:
        raise InvalidInput.field("q", _("search for at least one letter or digit"))
    return found


def include_name(name: str | None, type_: "NameFilterType", parent_names: "NameFilterParentNames") -> bool:
    """Alembic's `include_name`: False for the search index's own objects, which Base.metadata does not declare
    (SQLAlchemy has no portable way to: FTS5 tables, generated tsvector columns), so that comparing the database
    with the models skips them."""
    if type_ == "table":
        return not (name or "").startswith(("cases_search", "comments_search"))
    if type_ == "column":
        return not (name == "search_vector" and parent_names.get("table_name") in ("cases", "comments"))
    if type_ == "index":
        return name not in ("ix_cases_search", "ix_comments_search")
    return True


class TextSearch:
    """The cases matching q's words, for counting (`filter`) and for one page (`page`)."""

    def __init__(self, session: Session, q: str, any_word: bool = False, in_comments: bool = True) -> None:
        self.session = session
        self.words = words(q)
        # Any of the words rather than all of them.
        self.any_word = any_word
        # Comments match too, not only the case's title and description.
        self.in_comments = in_comments
        self.postgres = session.get_bind().dialect.name == "postgresql"

    def filter(self, query: Select[Any]) -> Select[Any]:
        """query (over cases) narrowed to the matching cases, all of them."""
        if self.postgres:
            return query.where(Case.id.in_(self._postgres_matching_ids()))
        return query.where(self._sqlite_looked_up())

    def page(self, statement: Select[Any]) -> Select[Any]:
        """statement (over cases, already filtered, ordered and limited) narrowed to the matching cases. Runs the
        queries that choose the plan (SQLite) or sets it up (PostgreSQL), in the caller's transaction."""
        if self.postgres:
            if not self.in_comments:
                return statement.where(Case.id.in_(_ids_of(statement.where(self._postgres_text_matches()))))
            branches = [
                _ids_of(statement.where(condition))
                for condition in (self._postgres_text_matches(), self._postgres_comment_matches())
            ]
            return statement.where(Case.id.in_(union_all(*branches)))
        if not self._sqlite_documents_at_least(LOOKUP_AT_MOST):
            return statement.where(Case.id.in_(_ids_of(statement.where(self._sqlite_looked_up()))))
        if self._sqlite_recent_share() >= PROBE_FROM:
            return statement.where(self._sqlite_probed_in_turn())
        return statement.where(self._sqlite_tested_in_turn())

    # PostgreSQL

    def _tsquery(self) -> ColumnElement[Any]:
        if self.any_word:
            # The words are letters and digits only (see words()): none reads as an operator.
            return func.to_tsquery(literal_column("'simple'::regconfig"), " | ".join(self.words))
        # plainto_tsquery: the words are text to it, never operators.
        return func.plainto_tsquery(literal_column("'simple'::regconfig"), " ".join(self.words))

    def _postgres_text_matches(self) -> ColumnElement[bool]:
        return literal_column("cases.search_vector", TSVECTOR).bool_op("@@")(self._tsquery())

    def _postgres_comment_matches(self) -> ColumnElement[bool]:
        vector = literal_column("comments.search_vector", TSVECTOR)
        return exists().where(Comment.case_id == Case.id, vector.bool_op("@@")(self._tsquery()))

    def _postgres_matching_ids(self) -> Any:
        by_text = table("cases", column("id"), column("search_vector", TSVECTOR)).alias("by_text")
        text_ids = select(by_text.c.id).where(by_text.c.search_vector.bool_op("@@")(self._tsquery()))
        if not self.in_comments:
            return text_ids
        comments = table("comments", column("case_id"), column("search_vector", TSVECTOR))
        return union(
            text_ids, select(comments.c.case_id).where(comments.c.search_vector.bool_op("@@")(self._tsquery()))
        )

    # SQLite

    def _match(self) -> str:
        # Each word quoted: FTS5 reads it as a string to tokenize, never as an operator (AND, NOT, *, ...).
        return (" OR " if self.any_word else " ").join(f'"{word}"' for word in self.words)

    def _fts_rowids(self, fts: Any) -> Select[Any]:
        return select(fts.c.rowid).where(literal_column(fts.name).op("MATCH")(self._match()))

    def _sqlite_documents_at_least(self, count: int) -> bool:
        found = 0
        for fts in self._sqlite_indexes():
            found += count_up_to(self.session, self._fts_rowids(fts), count - found)
            if found >= count:
                return True
        return False

    def _sqlite_indexes(self) -> tuple[Any, ...]:
        return (_CASES_FTS, _COMMENTS_FTS) if self.in_comments else (_CASES_FTS,)

    def _sqlite_recent_share(self) -> float:
        """The share of the newest cases (by rowid) whose text matches: a cheap sample of the list's density."""
        newest = self.session.scalar(select(func.max(literal_column("rowid"))).select_from(Case)) or 0
        recent = self._fts_rowids(_CASES_FTS).where(_CASES_FTS.c.rowid > newest - RECENT).subquery()
        matching = self.session.scalar(select(func.count()).select_from(recent)) or 0
        return matching / max(1, min(RECENT, newest))

    def _sqlite_looked_up(self) -> ColumnElement[bool]:
        """Each matching document's case looked up by rowid: cost follows the number of matches."""
        commented = aliased(Case, name="commented")
        comment_rowids: Select[Any] = (
            select(literal_column("commented.rowid"))
            .select_from(_COMMENTS_FTS)
            .join(Comment, literal_column("comments.rowid") == _COMMENTS_FTS.c.rowid)
            .join(commented, commented.id == Comment.case_id)
            .where(literal_column(_COMMENTS_FTS.name).op("MATCH")(self._match()))
        )
        if not self.in_comments:
            return literal_column("cases.rowid").in_(self._fts_rowids(_CASES_FTS))
        return literal_column("cases.rowid").in_(union(self._fts_rowids(_CASES_FTS), comment_rowids))

    def _sqlite_probed_in_turn(self) -> ColumnElement[bool]:
        """Each case of the list, in its order, looked up in the FTS5 tables by rowid: no gathering, a few tens of
        microseconds a document, for lists that fill a page within a few hundred cases."""

        def found(fts: Any, rowid: str) -> Exists:
            return exists(self._fts_rowids(fts).where(fts.c.rowid == literal_column(rowid)))

        if not self.in_comments:
            return found(_CASES_FTS, "cases.rowid")
        by_comment = exists().where(Comment.case_id == Case.id, found(_COMMENTS_FTS, "comments.rowid"))
        return or_(found(_CASES_FTS, "cases.rowid"), by_comment)

    def _sqlite_tested_in_turn(self) -> ColumnElement[bool]:
        """Each case of the list, in its order, tested against the matching rowids (gathered once)."""
        by_text = literal_column("cases.rowid").in_(self._fts_rowids(_CASES_FTS))
        if not self.in_comments:
            return by_text
        commented = exists().where(
            Comment.case_id == Case.id, literal_column("comments.rowid").in_(self._fts_rowids(_COMMENTS_FTS))
        )
        return or_(by_text, commented)


def _ids_of(statement: Select[Any]) -> Select[Any]:
    """The ids of statement's cases, sorted and limited as statement is: what sorting them costs is the ids' only."""
    return select(statement.with_only_columns(Case.id).subquery().c.id)
