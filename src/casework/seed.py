"""A realistic dataset, fast: `casework seed-data` (benchmarks, demos).

The workspace, its project, users, field definitions and token go through the services. The bulk rows come from
one `random.Random(seed)` and are written in large batches straight through the driver: COPY on PostgreSQL,
executemany on SQLite. Rows are built already in their stored form (ids as hex, timestamps as text, JSON as text),
because SQLAlchemy's per-value conversion would cost more than the writes. Skews are deliberate: a few tags,
agents, regions and cases take most of the traffic, as in real desks.
"""

import time
import uuid
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from operator import itemgetter
from random import Random
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from casework.auth.schemas import UserCreate
from casework.auth.service import SCOPES, Actor, add_user, first_active_admin, issue_token
from casework.cases.counts import recount as recount_statuses
from casework.cases.models import severity_rank, status_rank
from casework.cases.schemas import DEFAULT_OWNER
from casework.cases.tags import register_tags
from casework.db import handles
from casework.db.database import Database
from casework.errors import DomainError
from casework.projects import numbering
from casework.projects.lookup import project_key_taken
from casework.projects.schemas import ProjectCreate
from casework.projects.service import add_project, create_workspace
from casework.workflow.case_types.models import STANDARD
from casework.workflow.case_values import priority_rank
from casework.workflow.fields.schemas import FieldCreate, FieldOption
from casework.workflow.fields.service import create_field
from casework.workflow.statuses.service import project_statuses

Value = TypeVar("Value")


@dataclass(frozen=True)
class Weighted(Generic[Value]):
    values: tuple[Value, ...]
    cumulative: tuple[float, ...]

    def pick(self, rng: Random) -> Value:
        return self.values[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def weighted(pairs: Iterable[tuple[Value, float]]) -> Weighted[Value]:
    pairs = list(pairs)
    return Weighted(tuple(v for v, _ in pairs), tuple(accumulate(w for _, w in pairs)))


def zipf(values: Iterable[Value], exponent: float) -> Weighted[Value]:
    """The first values are the most frequent, as tags, assignees and hot cases are in real desks."""
    return weighted((value, 1 / rank**exponent) for rank, value in enumerate(values, start=1))


PROJECT_KEY = "CASE"
AGENTS = 200
BATCH = 10_000
# A case holds at most this many alerts (the attach cap).
MAX_ALERTS_PER_CASE = 1_000
SOURCE = "cli"
HOUR_MS, DAY_MS = 3_600_000, 86_400_000
# Parents first: each batch is written in this order.
TABLES = (
    "cases",
    "case_tags",
    "case_attributes",
    "case_assignees",
    "case_watchers",
    "case_field_values",
    "activity",
    "comments",
    "case_alerts",
)
# Loaded tables whose rows have an integer handle (casework.db.handles); PostgreSQL's COPY takes them from the identity.
HANDLED_TABLES = ("activity", "comments")

WORDS = (
    "alert suspicious login failed password reset user account server host network firewall traffic outbound inbound "
    "malware phishing email attachment link domain certificate expired token leaked credential vpn access denied "
    "privilege escalation admin root shell process binary hash signature quarantine endpoint laptop mobile device "
    "scan port vulnerability patch update kernel service crash timeout latency database backup restore storage "
    "bucket public exposure policy rule detection anomaly spike volume request api key rotation audit log missing "
    "dns query tunnel exfiltration upload download file share drive customer invoice payment fraud refund chargeback "
    "ticket escalated urgent review pending vendor contract renewal office badge door camera printer wifi guest "
    "brute force lockout mfa bypass session hijack cookie browser extension plugin script macro document excel "
    "ransomware encrypted note lateral movement beacon command control ip address geolocation unusual country night "
    "weekend holiday report team manager analyst playbook runbook triage contain eradicate recover lessons"
).split()
TAG_TOPICS = (
    "phishing malware ransomware fraud access network endpoint cloud identity email data compliance vendor "
    "physical insider ddos vulnerability account payment privacy"
).split()
TAG_QUALIFIERS = (
    "triage urgent confirmed false-positive external internal emea amer apac vip repeat automated manual legacy pilot"
).split()
# 300 tags, Zipf-distributed.
TAGS = zipf([f"{topic}-{qualifier}" for qualifier in TAG_QUALIFIERS for topic in TAG_TOPICS], 1.1)
RULES = tuple(
    (f"rule-{n:03d}", f"{WORDS[n * 7 % len(WORDS)].title()} {WORDS[n * 11 % len(WORDS)]} detection") for n in range(60)
)
REGION_LABELS = {
    "eu": "Europe",
    "us": "United States",
    "apac": "Asia Pacific",
    "latam": "Latin America",
    "mea": "Middle East and Africa",
}
REGIONS = weighted([("eu", 40), ("us", 30), ("apac", 15), ("latam", 10), ("mea", 5)])
RESOLUTIONS = ("fixed", "false positive", "duplicate", "mitigated", "accepted risk")
PRIORITIES = weighted([("P1", 3), ("P2", 12), ("P3", 40), ("P4", 25), ("P5", 10), (None, 10)])
SEVERITIES = weighted([("low", 50), ("medium", 30), ("high", 15), ("critical", 5)])
# By the statuses' builtin keys.
OPEN_STATUSES = weighted([("new", 30), ("open", 30), ("in_progress", 25), ("pending", 10), ("on_hold", 5)])
CLOSED_STATUSES = weighted([("resolved", 30), ("closed", 70)])
ASSIGNEE_COUNTS = weighted([(0, 15), (1, 70), (2, 15)])
# Comments of an ordinary case; BUSY_SHARE of cases have 4..BUSY_MAX, and a few hot ones thousands.
COMMENT_COUNTS = weighted([(0, 45), (1, 25), (2, 15), (3, 10)])
BUSY_SHARE, BUSY_MAX = 0.05, 30
# Titles, descriptions and comments are slices of one random text this long.
TEXT_WORDS = 1 << 17
# Words of that text follow Zipf's law, as in real prose: "alert" is in nearly every case, the rarest words in a few
# percent. Host names (host0001 the most frequent, host2000 the rarest) stand for the entities analysts search for:
# from about a tenth of the cases down to a few hundred in 1,000,000.
TEXT_VOCABULARY = zipf(WORDS, 1.0)
TEXT_HOSTS = zipf([f"host{n:04d}" for n in range(1, 2001)], 1.0)
TEXT_HOST_SHARE = 0.03
HOT_CASES_PER = 100_000
# What the seed leaves empty: the rest of the case's counts and its optional parts.
UNUSED_CASE_COLUMNS = (
    dict.fromkeys(("insight_count", "file_count", "tasks_open", "tasks_done", "link_count"), 0)
    | dict.fromkeys(("due_date", "resolution_reason", "outcome", "archived_at", "archived_by", "resolved_at"))
    | {"vendor_data": "{}"}
)
# Vendor case fields: 20 categories (a third of cases have none), requesters among 50,000 contacts (a contact has a
# few cases), and Datadog-style attributes: an environment and, for most cases, one or two of 200 services.
CATEGORIES = weighted([(None, 180), *((f"category-{rank:02d}", 100 / rank) for rank in range(1, 21))])
REQUESTER_SHARE, CONTACTS = 0.4, 50_000
ENVIRONMENTS = weighted([("prod", 70), ("staging", 20), ("dev", 10)])
SERVICES = zipf([f"svc-{n:03d}" for n in range(1, 201)], 1.0)
SERVICE_COUNTS = weighted([(0, 20), (1, 65), (2, 15)])
# Cases with no alert at all; the others share the alerts along a heavy tail.
NO_ALERT_SHARE = 0.6


@dataclass(frozen=True)
class SeedOptions:
    cases: int
    workspace_name: str = "Seeded workspace"
    seed: int = 42
    comments_per_case_max: int = 10_000
    # Alerts in total; None means one per case on average.
    alerts: int | None = None
    batch: int = BATCH
    # Fill this existing workspace (a new project in it) instead of creating one.
    workspace_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    group: str
    category: str


@dataclass(frozen=True)
class Setup:
    workspace_id: uuid.UUID
    project_id: uuid.UUID
    admin_id: str
    agent_ids: list[str]
    statuses: dict[str, Status]
    region_field: str
    amount_field: str
    # The admin's new token: only for a workspace the seed created.
    token: str | None
    project_key: str = PROJECT_KEY
    # The workspace's last case number before the seed: seeded cases are numbered after it.
    first_number: int = 0


@dataclass
class SeedResult:
    workspace_id: uuid.UUID
    project_key: str
    token: str | None
    rows: dict[str, int]
    # Keys of the hot cases (the first has exactly comments_per_case_max comments) and of one case without any.
    hot_cases: list[str]
    quiet_case: str | None
    alerts: int
    seconds: float


def setup_workspace(session: Session, options: SeedOptions) -> Setup:
    """The project to fill (the default project of a new workspace, or a new DEMO project of an existing one), its
    statuses and types, the agents, two fields, and a token for a new workspace's admin."""
    if options.workspace_id is None:
        workspace_id = create_workspace(session, options.workspace_name).id
        admin = add_user(
            session, workspace_id, UserCreate(email="admin@example.com", name="Administrator", role="admin")
        )
        key, emails = PROJECT_KEY, "agent{n:03d}@example.com"
    else:
        workspace_id = options.workspace_id
        found = first_active_admin(session, workspace_id)
        if found is None:
            raise DomainError("the workspace has no active admin")
        admin = found
        key = next(
            k for k in (f"DEMO{n or ''}" for n in range(1000)) if not project_key_taken(session, workspace_id, k)
        )
        emails = "agent{n:03d}." + key.lower() + "@example.com"
    first_number = numbering.last_number(session, workspace_id)
    project = add_project(
        session, workspace_id, ProjectCreate(key=key, name="Default project" if key == PROJECT_KEY else "Demo project")
    )
    agents = [
        add_user(session, workspace_id, UserCreate(email=emails.format(n=n), name=f"Agent {n:03d}", role="agent"))
        for n in range(1, agent_count(options.cases) + 1)
    ]
    actor = Actor(workspace_id, admin.id, "admin", frozenset(SCOPES))
    options_ = [FieldOption(id=value, label=label) for value, label in REGION_LABELS.items()]
    region = create_field(
        session, actor, key, FieldCreate(key="region", label="Region", type="select", options=options_)
    )
    amount = create_field(session, actor, key, FieldCreate(key="amount", label="Amount", type="number"))
    statuses = {
        s.builtin_key: Status(s.id.hex, s.name, s.group, s.category)
        for s in project_statuses(session, project.id)
        if s.builtin_key
    }
    token = issue_token(session, admin, "seed-data", list(SCOPES))[1] if options.workspace_id is None else None
    agent_ids = [a.id.hex for a in agents]
    return Setup(
        workspace_id,
        project.id,
        admin.id.hex,
        agent_ids,
        statuses,
        region.id.hex,
        amount.id.hex,
        token,
        key,
        first_number,
    )


def agent_count(cases: int) -> int:
    """A desk's size for its case load: five agents for a demo, up to AGENTS for a million cases."""
    return min(AGENTS, max(5, cases // 100))


class Stamps:
    """Timestamps as the database keeps them, from epoch milliseconds: SQLAlchemy's SQLite text, or PostgreSQL's
    input with an explicit UTC offset."""

    def __init__(self, postgres: bool) -> None:
        self.suffix = "+00" if postgres else ""
        self.days: dict[int, str] = {}

    def __call__(self, ms: int) -> str:
        day, rest = divmod(ms, DAY_MS)
        date = self.days.get(day)
        if date is None:
            date = self.days[day] = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")
        hours, rest = divmod(rest, HOUR_MS)
        minutes, rest = divmod(rest, 60_000)
        seconds, millis = divmod(rest, 1000)
        return f"{date} {hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}000{self.suffix}"


def json(value: Any) -> str:
    return orjson.dumps(value).decode()


class Generator:
    """Rows for consecutive cases, by table; everything follows from the seed and the moment the run started."""

    def __init__(self, setup: Setup, options: SeedOptions, now_ms: int, postgres: bool) -> None:
        self.s, self.o = setup, options
        self.rng = Random(options.seed)
        # The vendor case fields draw from their own generator: the other columns stay as they were before them.
        self.vendor_rng = Random(options.seed + 1)
        self.stamp = Stamps(postgres)
        self.ws = setup.workspace_id.hex
        self.project = setup.project_id.hex
        # Cases are created over the past year, up to an hour ago, in number order.
        self.end_ms = now_ms - HOUR_MS
        self.start_ms = self.end_ms - 365 * DAY_MS
        self.agents = zipf(setup.agent_ids, 0.8)
        self.alert_counts = self._alert_counts()
        hot = min(max(2, options.cases // HOT_CASES_PER), options.cases)
        # Hot cases among the older ones, so that their comments fit before now.
        self.hot = set(self.rng.sample(range(max(hot, options.cases * 9 // 10)), hot))
        self.text = self._text()
        self.alerts = 0
        self.hot_keys: list[str] = []
        self.quiet_key: str | None = None

    def _alert_counts(self) -> list[int]:
        total = self.o.cases if self.o.alerts is None else self.o.alerts
        rng = self.rng
        weights = [0.0 if rng.random() < NO_ALERT_SHARE else rng.paretovariate(1.3) for _ in range(self.o.cases)]
        scale = total / (sum(weights) or 1)
        counts = [min(MAX_ALERTS_PER_CASE, round(w * scale)) for w in weights]
        # The per-case cap cuts the tail: scale the rest up until the total is close to the one asked for.
        for _ in range(3):
            got = sum(counts)
            if not got or got >= total * 0.99:
                break
            scale *= total / got
            counts = [min(MAX_ALERTS_PER_CASE, round(w * scale)) for w in weights]
        return counts

    def uuid7(self, ms: int) -> str:
        """A UUIDv7 (as hex) for the moment `ms`: ids keep the rows' time order, as new_id() does for live rows."""
        bits = self.rng.getrandbits(74)
        return f"{(ms << 80) | (0x7 << 76) | ((bits >> 62) << 64) | (0b10 << 62) | (bits & ((1 << 62) - 1)):032x}"

    def _text(self) -> list[str]:
        """The random text that titles, descriptions and comments are cut from."""
        rng = self.rng
        text = rng.choices(TEXT_VOCABULARY.values, cum_weights=TEXT_VOCABULARY.cumulative, k=TEXT_WORDS)
        hosts = rng.choices(TEXT_HOSTS.values, cum_weights=TEXT_HOSTS.cumulative, k=int(TEXT_WORDS * TEXT_HOST_SHARE))
        for position, host in zip(rng.sample(range(TEXT_WORDS), len(hosts)), hosts, strict=True):
            text[position] = host
        return text

    def _words(self, n: int) -> str:
        """n words of a random text: a slice of one long random draw, much cheaper than n draws."""
        start = int(self.rng.random() * (TEXT_WORDS - n))
        return " ".join(self.text[start : start + n])

    def batch(self, first: int, count: int) -> dict[str, list[dict[str, Any]]]:
        """Rows of the cases first..first+count-1 (0-based), by table, parents first."""
        rows: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
        for i in range(first, first + count):
            self._case(i, rows)
        return rows

    def _vendor_fields(self, case_id: str, created_at: str, rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        rng = self.vendor_rng
        requester = f"{rng.randrange(1, CONTACTS + 1)}" if rng.random() < REQUESTER_SHARE else None
        attributes = {"env": [ENVIRONMENTS.pick(rng)]}
        services = list(dict.fromkeys(SERVICES.pick(rng) for _ in range(SERVICE_COUNTS.pick(rng))))
        if services:
            attributes["service"] = services
        rows["case_attributes"].extend(
            {"case_id": case_id, "key": key, "value": value, "workspace_id": self.ws}
            for key, values in attributes.items()
            for value in values
        )
        return {
            "owner": DEFAULT_OWNER,
            "category": CATEGORIES.pick(rng),
            "opened_at": created_at,
            "requester_id": requester,
            "requester": json({"name": None, "email": None, "type": None, "id": requester}) if requester else None,
            "attributes": json(attributes),
        }

    def _comment_count(self, i: int) -> int:
        rng, most = self.rng, self.o.comments_per_case_max
        if i in self.hot:
            # The first hot case has exactly the maximum: the benchmark's case with many comments.
            return most if not self.hot_keys else rng.randint(most // 2, most)
        if rng.random() < BUSY_SHARE:
            return min(most, rng.randint(4, BUSY_MAX))
        return min(most, COMMENT_COUNTS.pick(rng))

    def _case(self, i: int, rows: dict[str, list[dict[str, Any]]]) -> None:
        rng, stamp, ws = self.rng, self.stamp, self.ws
        span = (self.end_ms - self.start_ms) / self.o.cases
        created = int(self.start_ms + (i + rng.random() * 0.9) * span)
        case_id, key, created_at = self.uuid7(created), f"{self.s.project_key}-{i + 1}", stamp(created)
        author = self.agents.pick(rng)
        assignees = list(dict.fromkeys(self.agents.pick(rng) for _ in range(ASSIGNEE_COUNTS.pick(rng))))
        tags = list(dict.fromkeys((TAGS.pick(rng), TAGS.pick(rng))))
        # Older cases are mostly closed; recent ones mostly still open.
        closed = rng.random() < (0.85 if self.end_ms - created > 30 * DAY_MS else 0.35)
        status = self.s.statuses[(CLOSED_STATUSES if closed else OPEN_STATUSES).pick(rng)]
        fields: dict[str, Any] = {}
        if rng.random() < 0.8:
            fields["region"] = REGIONS.pick(rng)
        if rng.random() < 0.6:
            fields["amount"] = int(rng.lognormvariate(6, 1.5))
        if closed:
            last = created + min(int(rng.expovariate(1 / (2 * DAY_MS))) + 60_000, self.end_ms - created)
        else:
            last = created + int(rng.random() * min(self.end_ms - created, 14 * DAY_MS))
        comments, alerts = self._comment_count(i), self.alert_counts[i]
        if i in self.hot:
            self.hot_keys.append(key)
        elif comments == 0 and self.quiet_key is None:
            self.quiet_key = key
        people = [author, *assignees]
        last_comment = self._comments(
            rows["comments"], case_id, created, max(last, created + comments + 1), comments, people
        )
        if alerts:
            self._alerts(rows["case_alerts"], case_id, created, alerts)
        updated = max(last, last_comment, created + 60_000 if alerts else created)
        first_response = (
            created + rng.randint(60_000, 4 * HOUR_MS) if assignees else (created + 1 if comments else None)
        )
        priority, severity = PRIORITIES.pick(rng), SEVERITIES.pick(rng)
        title, description = self._words(6).capitalize(), self._words(30).capitalize() + "."
        assignee_ids = [str(uuid.UUID(a)) for a in assignees]
        closer = assignees[0] if assignees else author
        rows["cases"].append(
            {
                "id": case_id,
                "workspace_id": ws,
                "project_id": self.project,
                "number": self.s.first_number + i + 1,
                "key": key,
                "title": title,
                "description": description,
                "status_id": status.id,
                "status": status.group,
                "status_category": status.category,
                "priority_rank": priority_rank(priority),
                "status_rank": status_rank(status.group),
                "severity_rank": severity_rank(severity),
                "severity": severity,
                "type": STANDARD,
                "assignee_ids": json(assignee_ids),
                "tags": json(tags),
                "author_id": author,
                "resolution": rng.choice(RESOLUTIONS) if closed else None,
                "external_refs": "{}",
                "metadata": "{}",
                "created_at": created_at,
                "updated_at": stamp(updated),
                "updated_by": closer,
                "closed_at": stamp(last) if closed else None,
                "closed_by": closer if closed else None,
                "duration": (last - created) // 1000 if closed else None,
                "fields": json(fields),
                "closure_conditions": "[]",
                "first_response_at": stamp(first_response) if first_response else None,
                # Created, then one change per comment, per attachment and for closing.
                "version": 1 + comments + (1 if alerts else 0) + (1 if closed else 0),
                "comment_count": comments,
                "alert_count": alerts,
                **UNUSED_CASE_COLUMNS,
                **self._vendor_fields(case_id, created_at, rows),
            }
        )
        rows["case_tags"].extend({"case_id": case_id, "tag": tag, "workspace_id": ws} for tag in tags)
        rows["case_assignees"].extend({"case_id": case_id, "user_id": a, "workspace_id": ws} for a in assignees)
        rows["case_watchers"].extend(
            {"case_id": case_id, "user_id": u, "workspace_id": ws, "created_at": created_at}
            for u in dict.fromkeys(people)
        )
        values = rows["case_field_values"]
        if "region" in fields:
            values.append(self._field_value(case_id, self.s.region_field, fields["region"], None))
        if "amount" in fields:
            values.append(self._field_value(case_id, self.s.amount_field, None, float(fields["amount"])))
        changes: dict[str, Any] = {
            "title": [None, title],
            "description": [None, description],
            "status": [None, status.group],
        }
        changes |= {"status_name": [None, status.name], "severity": [None, severity], "type": [None, STANDARD]}
        if priority:
            changes["priority"] = [None, priority]
        if assignee_ids:
            changes["assignees"] = [None, assignee_ids]
        changes["tags"] = [None, tags]
        if fields:
            changes["fields"] = [None, fields]
        rows["activity"].append(
            {
                "id": self.uuid7(created),
                "workspace_id": ws,
                "case_id": case_id,
                "actor_id": author,
                "action": "created",
                "changes": json(changes),
                "source": SOURCE,
                "created_at": created_at,
            }
        )

    def _field_value(self, case_id: str, field_id: str, text_value: str | None, number: float | None) -> dict[str, Any]:
        return {
            "case_id": case_id,
            "field_id": field_id,
            "position": 0,
            "workspace_id": self.ws,
            "text_value": text_value,
            "number_value": number,
        }

    def _comments(
        self, table: list[dict[str, Any]], case_id: str, start: int, end: int, count: int, people: list[str]
    ) -> int:
        """Comments spread evenly between start and end, at least 1 ms apart so that their ids keep their order;
        returns the last one's moment."""
        rng, moment = self.rng, start
        step = max(1, (end - start) // (count + 1))
        for _ in range(count):
            moment += step
            who, at = rng.choice(people), self.stamp(moment)
            table.append(
                {
                    "id": self.uuid7(moment),
                    "workspace_id": self.ws,
                    "case_id": case_id,
                    "author_id": who,
                    "body": self._words(rng.randint(8, 40)).capitalize() + ".",
                    "mentions": "[]",
                    "created_at": at,
                    "updated_at": at,
                    "updated_by": who,
                }
            )
        return moment

    def _alerts(self, table: list[dict[str, Any]], case_id: str, created: int, count: int) -> None:
        """One attach request a minute after the case's creation; alert ids alert-0, alert-1, ... over the dataset."""
        moment = created + 60_000
        attachment, at = self.uuid7(moment), self.stamp(moment)
        index = f".alerts-security-{datetime.fromtimestamp(created / 1000, UTC):%Y.%m}"
        for n in range(self.alerts, self.alerts + count):
            rule_id, rule_name = RULES[n % len(RULES)]
            table.append(
                {
                    "id": self.uuid7(moment),
                    "workspace_id": self.ws,
                    "case_id": case_id,
                    "attachment_id": attachment,
                    "alert_id": f"alert-{n}",
                    "index": index,
                    "rule_id": rule_id,
                    "rule_name": rule_name,
                    "owner": "securitySolution",
                    "created_at": at,
                    "created_by": self.s.admin_id,
                }
            )
        self.alerts += count


def _driver(connection: Connection) -> Any:
    """The driver's own connection (psycopg's or sqlite3's), for what SQLAlchemy does not offer."""
    driver = connection.connection.driver_connection
    assert driver is not None  # None once the connection is closed
    return driver


def _copy_rows(connection: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: COPY FROM STDIN through psycopg (text format: every value goes as its text)."""
    columns = list(rows[0])
    values = itemgetter(*columns)
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = _driver(connection).cursor()
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(values(row))


def _insert_rows(connection: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    values = itemgetter(*columns)
    parameters: Iterable[tuple[Any, ...]] = map(values, rows)
    if table in HANDLED_TABLES:
        # The handle trigger is dropped with the others during the load: the batch's handles are taken here.
        columns.append("number")
        first = handles.next_handle(connection, table)
        parameters = ((*values(row), number) for row, number in zip(rows, range(first, first + len(rows)), strict=True))
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    _driver(connection).executemany(statement, parameters)


def batches(total: int, size: int) -> Iterator[tuple[int, int]]:
    for first in range(0, total, size):
        yield first, min(size, total - first)


def _drop_secondary_structures(connection: Connection) -> list[str]:
    """PostgreSQL's bulk-load recipe: drop the loaded tables' foreign keys and plain indexes (primary keys and unique
    constraints stay) and return the statements that put them back. Rebuilding an index, or checking a foreign key,
    in one pass after the load is several times faster than maintaining it row by row. Run in the load's transaction,
    so that a failed load rolls the drops back too."""
    tables = list(TABLES)
    foreign_keys = connection.execute(
        text(
            "SELECT c.relname, con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con "
            "JOIN pg_class c ON c.oid = con.conrelid WHERE con.contype = 'f' "
            "AND c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(:tables) ORDER BY 1, 2"
        ),
        {"tables": tables},
    ).all()
    indexes = connection.execute(
        text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY(:tables) AND NOT EXISTS (SELECT 1 FROM pg_constraint con "
            "WHERE con.conname = i.indexname AND con.connamespace = current_schema()::regnamespace) ORDER BY 1"
        ),
        {"tables": tables},
    ).all()
    for table, name, _ in foreign_keys:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    restore = [definition for _, definition in indexes]
    return restore + [
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for table, name, definition in foreign_keys
    ]


def _drop_triggers(connection: Connection) -> list[str]:
    """SQLite: drop the loaded tables' triggers (those that keep the text-search index, migration 0004) and return
    the statements that put them back. Indexing row by row through them doubles the load's time; _rebuild_text_search
    indexes everything in one pass afterwards. Only a crash in between (the process killed) leaves them dropped."""
    loaded = ", ".join(f"'{table}'" for table in TABLES)
    triggers = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({loaded}) ORDER BY name"
    ).all()
    for name, _ in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    return [definition for _, definition in triggers]


def _rebuild_text_search(connection: Connection, triggers: list[str]) -> None:
    """SQLite: index every row again in each FTS5 table, in one segment (fastest to query), and put the triggers back,
    in one transaction: no write falls between the two."""
    tables = (
        connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%' ORDER BY name"
        )
        .scalars()
        .all()
    )
    for table in tables:
        connection.exec_driver_sql(f'INSERT INTO "{table}"("{table}") VALUES (\'rebuild\')')
        connection.exec_driver_sql(f'INSERT INTO "{table}"("{table}") VALUES (\'optimize\')')
    for statement in triggers:
        connection.exec_driver_sql(statement)


Progress = Callable[[int, dict[str, int], float], None]


def seed(db: Database, options: SeedOptions, progress: Progress | None = None) -> SeedResult:
    """Create a workspace holding `options.cases` cases and their content; returns its id and an admin token.

    On PostgreSQL the whole load is one transaction that holds the loaded tables locked: seed before serving."""
    started = time.monotonic()
    postgres = not db.is_sqlite
    setup = db.run_sync(setup_workspace, options)
    generator = Generator(setup, options, int(time.time() * 1000), postgres)
    counts = dict.fromkeys(TABLES, 0)
    tags: set[str] = set()

    def load(connection: Connection, first: int, count: int) -> None:
        for table, rows in generator.batch(first, count).items():
            if rows:
                (_copy_rows if postgres else _insert_rows)(connection, table, rows)
            counts[table] += len(rows)
            if table == "case_tags":
                tags.update(row["tag"] for row in rows)
        if progress:
            progress(first + count, counts, time.monotonic() - started)

    if postgres:
        with db.write_engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            restore = _drop_secondary_structures(connection)
            for first, count in batches(options.cases, options.batch):
                load(connection, first, count)
            for statement in restore:
                connection.exec_driver_sql(statement)
            numbering.advance_to(
                connection, setup.workspace_id, setup.project_id, setup.first_number + options.cases, options.cases
            )
    else:
        with db.write_engine.begin() as connection:
            triggers = _drop_triggers(connection)
        try:
            for first, count in batches(options.cases, options.batch):
                with db.write_engine.connect() as connection:
                    # A half-seeded dataset need not survive a crash: skip the syncs (set outside any transaction).
                    _driver(connection).execute("PRAGMA synchronous=OFF")
                    with connection.begin():
                        load(connection, first, count)
                    _driver(connection).execute("PRAGMA synchronous=NORMAL")
        finally:
            with db.write_engine.begin() as connection:
                _rebuild_text_search(connection, triggers)
        with db.write_engine.begin() as connection:
            last = setup.first_number + options.cases
            numbering.advance_to(connection, setup.workspace_id, setup.project_id, last, options.cases)
    db.run_sync(register_tags, setup.workspace_id, tags)
    with db.write_engine.begin() as connection:
        # The cases went in without the service: their status counts are set in one pass.
        recount_statuses(connection, setup.workspace_id)
        # Fresh planner statistics, so that the first queries on the new data use its indexes.
        for table in (*TABLES, "case_counts", "assignee_case_counts"):
            connection.exec_driver_sql(f'ANALYZE "{table}"')
    return SeedResult(
        setup.workspace_id,
        setup.project_key,
        setup.token,
        counts,
        generator.hot_keys,
        generator.quiet_key,
        generator.alerts,
        time.monotonic() - started,
    )
