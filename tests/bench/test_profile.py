"""bench.profile's pure part: py-spy's raw stacks to layers and the table. `make profile` runs the servers."""

from collections import Counter

from bench import profile

SERVE = 'process 1:"casework serve";run (asyncio/runners.py:118)'
HANDLE = f"{SERVE};app (fastapi/routing.py:301);get_case (casework/cases/router.py:90)"
RAW = f"""\
{HANDLE};read_case (casework/cases/service.py:200);execute (sqlalchemy/orm/session.py:2300) 7
{HANDLE};read_case (casework/cases/service.py:200);do_execute (sqlalchemy/engine/default.py:951) 5
{HANDLE};_fetchall_impl (sqlalchemy/engine/cursor.py:1136) 2
{HANDLE};authenticated_actor (casework/auth/dependencies.py:40);sha256 (hashlib.py:10) 3
{HANDLE};case_view (casework/cases/schemas.py:40);uuid4 (uuid.py:720) 4
{SERVE};matches (starlette/routing.py:230) 6
{SERVE};token_core_row (bench/floor.py:160) 1
{SERVE};validate_python (pydantic/type_adapter.py:400) 2
{SERVE};execute (psycopg/cursor.py:700) 3
{SERVE};select (selectors.py:468) 1
not a stack line
"""


def test_each_sample_counts_for_its_innermost_layer() -> None:
    assert profile.layer_samples(RAW) == Counter(
        {
            "SQLAlchemy": 7,
            # SQLAlchemy's calls into the DBAPI and the driver's own frames: the database's time.
            profile.DATABASE: 5 + 2 + 3,
            # The standard library counts for its caller.
            profile.AUTH: 3,
            profile.HTTP: 4,
            "FastAPI and Starlette": 6,
            profile.FLOOR: 1,
            "Pydantic": 2,
            "uvicorn and asyncio": 1,
        }
    )


def test_casework_modules_split_into_http_and_rules() -> None:
    assert profile.layer_of_frame("create (casework/comments/router.py:12)") == profile.HTTP
    assert profile.layer_of_frame("dispatch (casework/dialects/kibana/cases.py:12)") == profile.HTTP
    assert profile.layer_of_frame("create (casework/comments/service.py:12)") == profile.RULES
    assert profile.layer_of_frame("run_sync (casework/db/database.py:120)") == profile.RULES
    assert profile.layer_of_frame("dumps (json/__init__.py:231)") is None


def test_table_gives_microseconds_per_request_and_a_total() -> None:
    samples = Counter({"SQLAlchemy": profile.RATE, profile.DATABASE: profile.RATE // 2})
    text = profile.table({"get case by id": (samples, 1000)})
    assert text.splitlines() == [
        "| µs per request | get case by id |",
        "|---|---:|",
        "| SQLAlchemy | 1,000 |",
        f"| {profile.DATABASE} | 500 |",
        "| **total** | **1,500** |",
    ]
