"""xAPI 1.0.3 statements: validate, pseudonymise, store idempotently, count as learner
activity.

A statement's actor becomes a pseudonymous learner key, HMAC-SHA256 of its identifier
(mbox, mbox_sha1sum, openid or account) with the organisation's salt; the stored statement
carries that key instead of the actor, and any other agent in it (context instructor or
team) is replaced the same way, so no e-mail address or account name is ever stored. An
`mbox` is hashed as its SHA-1 sum first, so one learner sent either way gets one key.

object.id is looked up in the organisation's `ActivityMapping`: an activity mapped to a
program becomes a learner event of that program (through `engagement.record_events`,
verb's last segment as event type, timestamp or stored time as when); an unknown one is
recorded with a count for an admin to map, and mapping it replays its stored statements.

A statement with the verb `voided` and a StatementRef object voids its target: the target
is hidden from queries and GET by id, and its learner event is taken back and its month
recounted. Queries (`parse_query`, `query_statements`) page on (stored, id) with a signed
cursor, so statements written between two pages neither repeat nor go missing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from measurement.engagement import record_events, remove_events
from measurement.models import ActivityMapping, LearnerSalt, Program, XapiStatement
from roadmap_site.dates import EARLIEST_YEAR, LATEST_YEAR, plausible_year
from roadmap_site.models import Organization

VERSION = "1.0.3"
VERSION_HEADER = "X-Experience-API-Version"
ACCEPTED_VERSION = re.compile(r"^1\.0(\.\d+)?$")
# Far below any real platform's batch, far above a body that is a mistake or an attack.
MAX_BATCH = 1000
MAX_ACTIVITY_ID = ActivityMapping._meta.get_field("activity_id").max_length or 1000
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
# The account home page of every pseudonymous learner: fixed, not this site's address, so
# the same statement sent through another host name is still the same statement. `.invalid`
# (RFC 2606) says it names no real system.
LEARNER_HOME = "https://learners.invalid/"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
MORE_SALT = "measurement.xapi-more"
# A `more` link is for paging through now, not for bookmarking.
MORE_MAX_AGE = 24 * 3600


class StatementError(ValueError):
    """A statement (or a batch) refused whole: 400 with this message."""


class StatementConflict(ValueError):
    """A different statement under an id already stored: 409."""


# Learner keys -----------------------------------------------------------------------------


def salt_of(org: Organization) -> bytes:
    row, _ = LearnerSalt.objects.get_or_create(org=org)
    return row.salt.encode()


def identifier(agent: Mapping[str, Any], where: str) -> str:
    """The agent's one inverse functional identifier, as text (before hashing)."""
    found = [key for key in IFIS if key in agent]
    if len(found) != 1:
        raise StatementError(
            f"{where} must have exactly one of mbox, mbox_sha1sum, openid or account."
        )
    kind = found[0]
    value = agent[kind]
    if kind == "account":
        if not isinstance(value, dict) or not all(
            isinstance(value.get(k), str) and value.get(k) for k in ("homePage", "name")
        ):
            raise StatementError(f"{where}.account needs a homePage and a name.")
        return f"account:{value['homePage']}|{value['name']}"
    if not isinstance(value, str) or not value:
        raise StatementError(f"{where}.{kind} must be a non-empty string.")
    if kind == "mbox":
        if not value.startswith("mailto:") or "@" not in value:
            raise StatementError(f"{where}.mbox must be a mailto: IRI.")
        kind, value = "mbox_sha1sum", hashlib.sha1(value.encode()).hexdigest()  # noqa: S324
    elif kind == "mbox_sha1sum":
        value = value.lower()
    return f"{kind}:{value}"


def learner_key(salt: bytes, agent: Mapping[str, Any], where: str = "actor") -> str:
    """The agent's pseudonymous key. An agent as this LRS returns it (the key as an account
    name under LEARNER_HOME) is that key already: a statement read back and sent again, or
    an actor read back and used as a query's agent, is the same learner."""
    account = agent.get("account") if isinstance(agent, Mapping) else None
    if (
        isinstance(account, dict)
        and account.get("homePage") == LEARNER_HOME
        and isinstance(account.get("name"), str)
        and re.fullmatch(r"[0-9a-f]{64}", account["name"])
    ):
        return account["name"]
    return hmac.new(salt, identifier(agent, where).encode(), hashlib.sha256).hexdigest()


def _pseudonymous(salt: bytes, agent: Any, where: str) -> dict[str, Any]:
    """An agent (or group) with its identifier replaced by the key, its name dropped."""
    if not isinstance(agent, dict):
        raise StatementError(f"{where} must be an object.")
    members = agent.get("member")
    if agent.get("objectType") == "Group" and not any(k in agent for k in IFIS):
        if not isinstance(members, list) or not members:
            raise StatementError(f"{where}: an anonymous group needs its members.")
        return {
            "objectType": "Group",
            "member": [
                _pseudonymous(salt, m, f"{where}.member.{i}") for i, m in enumerate(members)
            ],
        }
    key = learner_key(salt, agent, where)
    return {
        "objectType": agent.get("objectType", "Agent"),
        "account": {"homePage": LEARNER_HOME, "name": key},
    }


# Validation -------------------------------------------------------------------------------


def _iri(value: Any, where: str) -> str:
    if not isinstance(value, str) or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value):
        raise StatementError(f"{where} must be an absolute IRI.")
    return value


def _timestamp(value: Any, where: str) -> datetime:
    moment = None
    if isinstance(value, str):
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        raise StatementError(f"{where} is not an ISO 8601 date and time.")
    if timezone.is_naive(moment):
        raise StatementError(f"{where} has no time zone (add Z or an offset).")
    if not plausible_year(moment):
        raise StatementError(f"{where} is not between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return moment


@dataclass
class Checked:
    """One statement, validated and pseudonymised, ready to store."""

    id: uuid.UUID
    statement: dict[str, Any]
    learner_key: str
    verb: str
    activity_id: str | None  # None: the object is a StatementRef
    activity_name: str
    occurred_at: datetime
    voids: uuid.UUID | None = None  # the target, when this is a voiding statement


def check(
    raw: Any, *, salt: bytes, now: datetime, statement_id: uuid.UUID | None = None
) -> Checked:
    """Validate one statement (the rules this LRS relies on) and pseudonymise it.
    `statement_id` is the id a PUT names; the body may repeat it, not contradict it."""
    if not isinstance(raw, dict):
        raise StatementError("A statement must be a JSON object.")
    if "\\u0000" in json.dumps(raw):  # PostgreSQL stores no NUL character, in JSON or text
        raise StatementError("A statement cannot contain NUL characters.")
    given = raw.get("id")
    if given is not None:
        try:
            given_id = uuid.UUID(str(given)) if isinstance(given, str) else None
        except ValueError:
            given_id = None
        if given_id is None:
            raise StatementError("The statement id must be a UUID.")
        if statement_id is not None and given_id != statement_id:
            raise StatementError("The statement's id differs from the statementId parameter.")
        statement_id = given_id
    statement = dict(raw)
    statement["id"] = str(statement_id or uuid.uuid4())
    # The LRS sets these; whatever a client put there is replaced.
    for key in ("stored", "authority"):
        statement.pop(key, None)
    statement.setdefault("version", "1.0.0")
    if not isinstance(statement["version"], str) or not ACCEPTED_VERSION.match(
        statement["version"]
    ):
        raise StatementError("The statement's version must be 1.0.x.")
    actor = statement.get("actor")
    if not isinstance(actor, dict):
        raise StatementError("The statement needs an actor.")
    key = learner_key(salt, actor)
    statement["actor"] = _pseudonymous(salt, actor, "actor")
    verb = statement.get("verb")
    if not isinstance(verb, dict):
        raise StatementError("The statement needs a verb.")
    verb_id = _iri(verb.get("id"), "verb.id")
    event_type = verb_id.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    if not event_type or len(event_type) > 50:
        raise StatementError("verb.id must end in a name of at most 50 characters.")
    target = statement.get("object")
    kind = target.get("objectType", "Activity") if isinstance(target, dict) else None
    activity_id: str | None = None
    reference: uuid.UUID | None = None
    if isinstance(target, dict) and kind == "StatementRef":
        reference = _uuid(target.get("id"), "object.id of a StatementRef")
        statement["object"] = {"objectType": "StatementRef", "id": str(reference)}
    elif isinstance(target, dict) and kind == "Activity":
        activity_id = _iri(target.get("id"), "object.id")
        if "definition" in target and not isinstance(target["definition"], dict):
            raise StatementError("object.definition must be an object.")
        if len(activity_id) > MAX_ACTIVITY_ID:
            raise StatementError(f"object.id is longer than {MAX_ACTIVITY_ID} characters.")
    else:
        raise StatementError(
            "This LRS records statements whose object is an Activity or a StatementRef."
        )
    if verb_id == VOIDED and reference is None:
        raise StatementError("A voiding statement's object must be a StatementRef.")
    context = statement.get("context")
    if context is not None:
        if not isinstance(context, dict):
            raise StatementError("context must be an object.")
        context = dict(context)
        for part in ("instructor", "team"):
            if part in context:
                context[part] = _pseudonymous(salt, context[part], f"context.{part}")
        if "registration" in context:
            # Canonical text, so a query's registration matches however it was written.
            registration = _uuid(context["registration"], "context.registration")
            context["registration"] = str(registration)
        statement["context"] = context
    has_time = "timestamp" in statement
    occurred = _timestamp(statement["timestamp"], "timestamp") if has_time else now
    return Checked(
        id=uuid.UUID(statement["id"]),
        statement=statement,
        learner_key=key,
        verb=event_type,
        activity_id=activity_id,
        activity_name=_activity_name(target),
        occurred_at=occurred,
        voids=reference if verb_id == VOIDED else None,
    )


def _uuid(value: Any, where: str) -> uuid.UUID:
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise StatementError(f"{where} must be a UUID.")


def _activity_name(target: Mapping[str, Any]) -> str:
    definition = target.get("definition") if isinstance(target, dict) else None
    names = definition.get("name") if isinstance(definition, dict) else None
    if isinstance(names, dict) and names:
        name = names.get("en-US") or names.get("en") or next(iter(names.values()))
        return str(name)[:200]
    return ""


# Storing ----------------------------------------------------------------------------------


def _same(stored: Mapping[str, Any], sent: Mapping[str, Any]) -> bool:
    ignored = {"stored", "authority"}
    return {k: v for k, v in stored.items() if k not in ignored} == {
        k: v for k, v in sent.items() if k not in ignored
    }


def store_statements(
    *,
    org: Organization,
    statements: list[Any],
    authority: dict[str, Any],
    statement_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Store statements, all or none (xAPI: a bad statement rejects the batch). Returns
    their ids in order. A statement already stored under its id is accepted again when it
    is the same; a different one raises StatementConflict."""
    if not statements:
        raise StatementError("Send a statement or a non-empty array of statements.")
    if len(statements) > MAX_BATCH:
        raise StatementError(f"Send at most {MAX_BATCH:,} statements at a time.")
    now = timezone.now()
    salt = salt_of(org)
    checked: dict[uuid.UUID, Checked] = {}
    ids: list[uuid.UUID] = []
    for index, raw in enumerate(statements):
        try:
            item = check(raw, salt=salt, now=now, statement_id=statement_id)
        except StatementError as error:
            where = f"Statement {index}: " if len(statements) > 1 else ""
            raise StatementError(f"{where}{error}") from None
        if item.id in checked and not _same(checked[item.id].statement, item.statement):
            raise StatementError(f"Statement {index} reuses the id {item.id} of another.")
        checked[item.id] = item
        ids.append(item.id)
    for index, sid in enumerate(ids):
        target = checked[sid].voids
        if target is not None and target in checked and checked[target].voids is not None:
            raise StatementError(f"Statement {index} voids a voiding statement, which cannot be.")
    try:
        with transaction.atomic():
            _store_new(org, checked, authority=authority, now=now)
    except IntegrityError:
        # Another request stored one of these ids between our read and our write: compare
        # again against what it stored (the same: accepted; different: 409).
        with transaction.atomic():
            _store_new(org, checked, authority=authority, now=now)
    return ids


def _store_new(
    org: Organization, checked: dict[uuid.UUID, Checked], *, authority: dict, now: datetime
) -> None:
    existing = {
        row.statement_id: row
        for row in XapiStatement.objects.for_org(org).filter(statement_id__in=checked)
    }
    for sid, row in existing.items():
        if not _same(row.statement, checked[sid].statement):
            raise StatementConflict(f"A different statement with the id {sid} is already stored.")
    new = [item for sid, item in checked.items() if sid not in existing]
    targets = {item.voids for item in new if item.voids is not None}
    if targets:
        voiding = (
            XapiStatement.objects.for_org(org)
            .filter(statement_id__in=targets, voids__isnull=False)
            .values_list("statement_id", flat=True)
            .first()
        )
        if voiding is not None:
            raise StatementError(f"{voiding} is a voiding statement: it cannot be voided.")
    if new:
        _write(org, new, authority=authority, now=now)


def _write(org: Organization, items: list[Checked], *, authority: dict, now: datetime) -> None:
    counts = Counter(item.activity_id for item in items if item.activity_id is not None)
    names = {item.activity_id: item.activity_name for item in items}
    activities = {
        a.activity_id: a
        for a in ActivityMapping.objects.for_org(org)
        .select_related("program__org")
        .filter(activity_id__in=counts)
    }
    for activity_id in counts.keys() - activities.keys():
        # get_or_create: another request may have just created it.
        activities[activity_id], _ = ActivityMapping.objects.get_or_create(
            org=org,
            activity_id=activity_id,
            defaults={"name": names[activity_id], "first_seen": now, "statements": 0},
        )
    for activity_id, count in counts.items():
        ActivityMapping.objects.filter(pk=activities[activity_id].pk).update(
            statements=F("statements") + count, last_seen=now
        )
    rows = []
    for item in items:
        item.statement.update(stored=now.isoformat().replace("+00:00", "Z"), authority=authority)
        rows.append(
            XapiStatement(
                org=org,
                statement_id=item.id,
                statement=item.statement,
                activity=activities.get(item.activity_id or ""),
                learner_key=item.learner_key,
                verb=item.verb,
                occurred_at=item.occurred_at,
                stored=now,
                voids=item.voids,
            )
        )
    XapiStatement.objects.bulk_create(rows)
    by_program: dict[Program, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        program = activities[item.activity_id].program if item.activity_id else None
        if program is not None:
            by_program[program].append(_event(item))
    for program, events in by_program.items():
        record_events(program=program, events=events, org=org)
    targets = {item.voids for item in items if item.voids is not None}
    # A voiding statement may come before its target: the target arrives voided.
    waiting = XapiStatement.objects.for_org(org).filter(
        voids__in=[item.id for item in items if item.voids is None]
    )
    targets.update(target for target in waiting.values_list("voids", flat=True) if target)
    if targets:
        _void(org, targets)


def _void(org: Organization, targets: set[uuid.UUID]) -> None:
    """Mark the stored, not yet voided, non-voiding statements among `targets` voided and
    take their learner events back. Unknown targets are left for when they arrive."""
    rows = list(
        XapiStatement.objects.for_org(org)
        .visible()
        .filter(statement_id__in=targets, voids__isnull=True)
        .select_related("activity__program__org")
    )
    if not rows:
        return
    XapiStatement.objects.filter(pk__in=[row.pk for row in rows]).update(voided=True)
    by_program: dict[Program, list[XapiStatement]] = defaultdict(list)
    for row in rows:
        if row.activity is not None and row.activity.program is not None:
            by_program[row.activity.program].append(row)
    for program, voided in by_program.items():
        remove_events(program=program, statement_ids=[row.statement_id for row in voided])
        # Another statement still standing may have made the same event (same learner,
        # verb and time; stored once): it counts again.
        natural = {(row.learner_key, row.verb, row.occurred_at) for row in voided}
        twins = (
            XapiStatement.objects.for_org(org)
            .visible()
            .filter(
                activity__program=program,
                learner_key__in={key for key, _, _ in natural},
                occurred_at__in={when for _, _, when in natural},
            )
            .order_by("stored", "pk")
        )
        events = [
            _event(row) for row in twins if (row.learner_key, row.verb, row.occurred_at) in natural
        ]
        if events:
            record_events(program=program, events=events, org=org)


def _event(item: Checked | XapiStatement) -> dict[str, Any]:
    return {
        "learner_key": item.learner_key,
        "event_type": item.verb,
        "occurred_at": item.occurred_at,
        "statement_id": item.statement_id if isinstance(item, XapiStatement) else item.id,
    }


def map_activity(*, activity: ActivityMapping, program: Program | None) -> int:
    """Point an activity at a program (or at none); the statements already stored for it
    become that program's learner events. Returns how many events were written."""
    if program is not None and program.org_id != activity.org_id:
        raise ValueError("The program belongs to another organisation.")
    with transaction.atomic():
        activity.program = program
        activity.save(update_fields=["program"])
        if program is None:
            return 0
        events = [_event(row) for row in XapiStatement.objects.visible().filter(activity=activity)]
        if not events:
            return 0
        return record_events(program=program, events=events, org=activity.org).written


def statement_as_stored(
    org: Organization, statement_id: uuid.UUID, *, voided: bool = False
) -> dict[str, Any] | None:
    """A statement by id; a voided one only when `voided` (the voidedStatementId GET)."""
    row = (
        XapiStatement.objects.for_org(org)
        .filter(statement_id=statement_id, voided=voided)
        .values_list("statement", flat=True)
        .first()
    )
    return row


# Queries ----------------------------------------------------------------------------------

QUERY_PARAMS = frozenset(
    {
        "statementId",
        "voidedStatementId",
        "agent",
        "verb",
        "activity",
        "registration",
        "related_activities",
        "related_agents",
        "since",
        "until",
        "limit",
        "format",
        "attachments",
        "ascending",
        "more",
    }
)
# With statementId or voidedStatementId, only these may be sent as well (xAPI 1.0.3).
BY_ID_PARAMS = frozenset({"format", "attachments"})


@dataclass(frozen=True)
class Query:
    """A statement query, checked: what `query_statements` filters on, and where the
    previous page ended. The agent is kept as its learner key, so a `more` link carries
    no e-mail address."""

    limit: int
    ascending: bool = False
    learner_key: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after: tuple[datetime, int] | None = None  # (stored, pk) of the last statement sent


def _boolean(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "false").strip().lower()
    if value not in ("true", "false"):
        raise StatementError(f"{name} must be true or false.")
    return value == "true"


def check_format(params: Mapping[str, str]) -> None:
    """`format` and `attachments`, which a GET by id may send too: only what this LRS does."""
    if params.get("format", "exact") != "exact":
        raise StatementError("This LRS returns statements in the exact format only.")
    if _boolean(params, "attachments"):
        raise StatementError("This LRS stores no attachments: leave attachments false.")


def parse_query(params: Mapping[str, str], *, org: Organization) -> Query:
    """Check a GET's parameters (anything wrong: StatementError, a 400). Without `more`."""
    unknown = sorted(set(params) - QUERY_PARAMS)
    if unknown:
        raise StatementError(f"Unknown parameter {unknown[0]}.")
    check_format(params)
    for name in ("related_activities", "related_agents"):
        if _boolean(params, name):
            raise StatementError(f"This LRS does not offer {name}: leave it false.")
    raw_limit = params.get("limit", "")
    if raw_limit == "":
        limit = settings.XAPI_QUERY_LIMIT
    elif not (raw_limit.isascii() and raw_limit.isdigit() and len(raw_limit) <= 9):
        # isascii: "²" is a digit to Python but not to int(); the length keeps int() cheap.
        raise StatementError("limit must be a whole number, 0 or more.")
    else:
        # 0 asks for the most the LRS gives; more than that is cut to it (as the spec allows).
        limit = min(int(raw_limit) or settings.XAPI_QUERY_MAX, settings.XAPI_QUERY_MAX)
    key = None
    if "agent" in params:
        try:
            agent = json.loads(params["agent"])
        except (ValueError, RecursionError):
            raise StatementError("agent must be an Agent or Group as JSON.") from None
        if not isinstance(agent, dict):
            raise StatementError("agent must be an Agent or Group as JSON.")
        key = learner_key(salt_of(org), agent, "agent")
    verb = _iri(params["verb"], "verb") if "verb" in params else None
    activity = _iri(params["activity"], "activity") if "activity" in params else None
    registration = None
    if "registration" in params:
        registration = str(_uuid(params["registration"], "registration"))
    since = _timestamp(params["since"], "since") if "since" in params else None
    until = _timestamp(params["until"], "until") if "until" in params else None
    return Query(
        limit=limit,
        ascending=_boolean(params, "ascending"),
        learner_key=key,
        verb=verb,
        activity=activity,
        registration=registration,
        since=since,
        until=until,
    )


def query_statements(org: Organization, query: Query) -> tuple[list[dict[str, Any]], str]:
    """One page of the organisation's statements (voided ones left out), newest stored
    first unless ascending, and the `more` cursor for the next page ("" at the end).
    One query, however many statements and filters."""
    rows = XapiStatement.objects.for_org(org).visible()
    if query.learner_key is not None:
        rows = rows.filter(learner_key=query.learner_key)
    if query.verb is not None:
        rows = rows.filter(statement__verb__id=query.verb)
    if query.activity is not None:
        rows = rows.filter(activity__activity_id=query.activity)
    if query.registration is not None:
        rows = rows.filter(statement__context__registration=query.registration)
    if query.since is not None:
        rows = rows.filter(stored__gt=query.since)
    if query.until is not None:
        rows = rows.filter(stored__lte=query.until)
    if query.after is not None:
        stored, pk = query.after
        if query.ascending:
            rows = rows.filter(Q(stored__gt=stored) | Q(stored=stored, pk__gt=pk))
        else:
            rows = rows.filter(Q(stored__lt=stored) | Q(stored=stored, pk__lt=pk))
    order = ("stored", "pk") if query.ascending else ("-stored", "-pk")
    page = list(rows.order_by(*order).values_list("statement", "stored", "pk")[: query.limit + 1])
    more = ""
    if len(page) > query.limit:
        page = page[: query.limit]
        _, stored, pk = page[-1]
        more = _cursor(org, query, after=(stored, pk))
    return [statement for statement, _, _ in page], more


def _cursor(org: Organization, query: Query, *, after: tuple[datetime, int]) -> str:
    data = {
        "o": org.pk,
        "l": query.limit,
        "asc": query.ascending,
        "k": query.learner_key,
        "v": query.verb,
        "a": query.activity,
        "r": query.registration,
        "s": query.since.isoformat() if query.since else None,
        "u": query.until.isoformat() if query.until else None,
        "at": [after[0].isoformat(), after[1]],
    }
    return signing.dumps(data, salt=MORE_SALT, compress=True)


def query_from_cursor(org: Organization, cursor: str) -> Query:
    """The query a `more` link continues; StatementError if it was not made for `org`,
    was tampered with or is older than a day."""
    try:
        data = signing.loads(cursor, salt=MORE_SALT, max_age=MORE_MAX_AGE)
    except signing.SignatureExpired:
        raise StatementError("This more link has expired: run the query again.") from None
    except signing.BadSignature:
        raise StatementError("This more link is not one this LRS gave.") from None
    if data.get("o") != org.pk:
        raise StatementError("This more link is not one this LRS gave.")

    def moment(value: str | None) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)

    stored, pk = data["at"]
    return Query(
        limit=data["l"],
        ascending=data["asc"],
        learner_key=data["k"],
        verb=data["v"],
        activity=data["a"],
        registration=data["r"],
        since=moment(data["s"]),
        until=moment(data["u"]),
        after=(datetime.fromisoformat(stored), pk),
    )
