"""Learner activity from a CSV file on PostgreSQL, at the pace of COPY.

The row path (`sources.clean_rows`, then a writer) checks and converts every cell in Python:
about 50,000 rows a second. Here the file's bytes go to PostgreSQL as they are, and SQL
does the work:

1. `COPY … (FORMAT csv)` streams the raw file (the encoding and delimiter `tabular`
   detected) into a temporary table of text columns, numbered in file order.
2. One `CREATE TABLE … AS SELECT` checks and converts every row with the same rules as
   the row path (blank rows skipped, values stripped of what Python calls whitespace,
   the verb's last segment, the lengths, the time formats, the future, the UUID) and
   gives each row a verdict: ok, refused, or "ask Python" for a time written in a way
   SQL does not convert itself (anything but ISO 8601, day-first dates and Excel serial
   numbers), so an odd row gets exactly the row path's answer.
3. The rows left to Python are judged by the row path's own functions, a few at a time.
4. One `INSERT … SELECT … ON CONFLICT DO NOTHING` writes the valid rows (the natural
   key's unique constraint makes a re-run change nothing), and the months touched are
   recounted.

The refused rows are counted in SQL; the first `limit` of them are judged again by the
row path to word their refusals, so a refusal reads the same whichever path met it.

A file COPY cannot read as the csv module does (rows with more or fewer cells than the
header, bytes that are not in the detected encoding, an end-of-data marker line) makes
`import_csv` return None after rolling its savepoint back: the caller reads that file
row by row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

import psycopg
from django.db import DatabaseError, connection, transaction
from psycopg import sql

from measurement import engagement, tabular
from measurement.models import LearnerEvent, Program
from roadmap_site.cache import bump_org
from roadmap_site.dates import EARLIEST_YEAR, LATEST_YEAR

CHUNK = 1 << 20
FIELDS = ("learner_key", "event_type", "occurred_at", "statement_id")
# What Python's str.strip() removes (every character whose isspace() is true), so SQL's
# btrim strips the same ones; a literal, as working it out costs every process 0.2 s.
WHITESPACE = (
    "\x09\x0a\x0b\x0c\x0d\x1c\x1d\x1e\x1f\x20\x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
ENCODINGS = {"utf-8-sig": "UTF8", "cp1252": "WIN1252"}
# The time formats SQL converts itself (what Python's parsers accept, narrowed to forms
# whose meaning is certain); any other non-blank time is judged by Python.
# Ranges are in the pattern (the day of the month is checked after), so the cast that
# follows cannot fail; an offset past 14 hours (none is in use) is left to Python.
ISO = (
    r"^(?:19\d\d|20\d\d|2100)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
    r"(?:Z|[+-](?:0\d|1[0-4])(?::?[0-5]\d)?)?)?$"
)
DAY_FIRST = r"^\d{1,2}[/.]\d{1,2}[/.]\d{4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
SERIAL = r"^\d{1,7}(?:[.,]\d+)?$"

# The cleaned event of one row, or the reasons it is refused (one of the two is empty).
Event = tuple[str, str, datetime, uuid.UUID | None]
Judge = Callable[[int, list[Any]], tuple[list[Any], Event | None]]


@dataclass
class Staged:
    read: int = 0
    written: int = 0
    unchanged: int = 0
    rejected: int = 0
    refusals: list[Any] = field(default_factory=list)
    judged_in_python: int = 0  # rows whose time SQL left to Python


class NotCopyable(Exception):
    """The file is not one COPY reads as the csv module does."""


def import_csv(
    *,
    program: Program,
    stream: IO[bytes],
    header: list[str],
    encoding: str,
    delimiter: str,
    positions: dict[str, int | None],
    judge: Judge,
    now: datetime,
    cap: int,
    limit: int,
    progress: Callable[[int], None],
) -> Staged | None:
    """Import learner events from a CSV `stream` (the caller already read its header);
    None when COPY cannot read the file, with nothing written."""
    if encoding not in ENCODINGS or any(("\n" in h or "\r" in h) for h in header):
        return None
    # The staging tables last as long as the outermost transaction (ON COMMIT DROP): the
    # run's, so a killed run leaves nothing behind.
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The sorts (the insert's order, the distinct months, the recount's distinct
            # learners) in memory, for this transaction only.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        try:
            with transaction.atomic():  # a savepoint: a refused COPY leaves no trace
                _copy_raw(stream, header, encoding, delimiter, progress)
        except (NotCopyable, psycopg.Error, DatabaseError):
            return None
        return _check_and_write(program, header, positions, judge, now, cap, limit, progress)


def _check_and_write(
    program: Program,
    header: list[str],
    positions: dict[str, int | None],
    judge: Judge,
    now: datetime,
    cap: int,
    limit: int,
    progress: Callable[[int], None],
) -> Staged:
    result = Staged()
    zone = program.org.zone
    with connection.cursor() as cursor:
        engagement.lock_program(program)
        cursor.execute(_check_sql(len(header), positions), _check_params(zone.key, now))
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE verdict = 'python') FROM import_checked"
        )
        result.read, unsure = cursor.fetchone()
        result.judged_in_python = unsure
        progress(result.read)
        if result.read > cap:
            raise tabular.FileProblem(f"The file has more than {cap:,} rows; split it.")
        if unsure:
            cursor.execute("CREATE INDEX ON import_checked (row)")
            _ask_python(cursor, header, positions, judge)
        cursor.execute("SELECT count(*) FROM import_checked WHERE verdict = 'refused'")
        result.rejected = cursor.fetchone()[0]
        if result.rejected:
            result.refusals = _word_refusals(cursor, header, positions, judge, limit)
        # In the unique index's order, so the index grows at its ends instead of at a
        # random page per row (a file in any order); the months come from the rows
        # actually written, without reading the staged rows again.
        cursor.execute(
            f"WITH written AS (INSERT INTO {LearnerEvent._meta.db_table} "  # noqa: S608
            "(org_id, program_id, learner_key, event_type, occurred_at, statement_id, "
            "created_at) SELECT %s, %s, learner_key, event_type, occurred_at, statement_id, %s "
            "FROM import_checked WHERE verdict = 'ok' "
            "ORDER BY occurred_at, learner_key, event_type "
            "ON CONFLICT (program_id, occurred_at, learner_key, event_type) DO NOTHING "
            "RETURNING occurred_at) "
            "SELECT count(*), coalesce(array_agg(DISTINCT "
            "date_trunc('month', occurred_at AT TIME ZONE %s)::date), '{}') FROM written",
            [program.org_id, program.pk, now, zone.key],
        )
        result.written, months = cursor.fetchone()
        result.unchanged = result.read - result.rejected - result.written
        if result.written:
            engagement.recount_added_months(program, months)
            bump_org(program.org)
    return result


def _copy_raw(
    stream: IO[bytes],
    header: list[str],
    encoding: str,
    delimiter: str,
    progress: Callable[[int], None],
) -> None:
    columns = [sql.Identifier(f"c{i}") for i in range(len(header))]
    with connection.cursor() as cursor:
        # Dropped first: a run inside a longer transaction (a test, a command) may meet the
        # previous run's tables.
        cursor.execute("DROP TABLE IF EXISTS import_raw, import_checked")
        cursor.execute(
            sql.SQL(
                "CREATE TEMPORARY TABLE import_raw ({}, line bigint GENERATED ALWAYS AS "
                "IDENTITY) ON COMMIT DROP"
            )
            .format(sql.SQL(", ").join(sql.SQL("{} text").format(c) for c in columns))
            .as_string(cursor.connection)
        )
        statement = sql.SQL(
            "COPY import_raw ({}) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER {}, "
            "ENCODING {})"
        ).format(
            sql.SQL(", ").join(columns),
            sql.Literal(delimiter),
            sql.Literal(ENCODINGS[encoding]),
        )
        stream.seek(0)
        lines, tail = 0, b""
        with cursor.copy(statement) as copy:
            while chunk := stream.read(CHUNK):
                # A line `\.` ends a CSV COPY early: such a file goes row by row.
                if b"\n\\." in tail + chunk[:3] or b"\n\\." in chunk:
                    raise NotCopyable
                tail = chunk[-3:]
                copy.write(chunk)
                lines += chunk.count(b"\n")
                progress(lines)


def _check_sql(width: int, positions: dict[str, int | None]) -> str:
    """The statement that checks and converts every row into `import_checked`.

    Each level is a subquery with OFFSET 0, so PostgreSQL computes its columns once per
    row instead of inlining (and repeating) their expressions in the level above. The
    common time shapes (2026-05-31T14:30:00, with Z or ±hh:mm) are recognised by their
    length and punctuation, without a regular expression: most of a row's cost.
    """

    def column(name: str) -> str:
        position = positions.get(name)
        return f"c{position}" if position is not None else "NULL::text"

    everything = ", ".join(f"c{i}" for i in range(width))
    return f"""
    CREATE TEMPORARY TABLE import_checked ON COMMIT DROP AS
    SELECT row, verdict, k AS learner_key, verb AS event_type, occurred AS occurred_at,
           CASE WHEN hex ~ '^[0-9a-fA-F]{{32}}$' THEN hex::uuid END AS statement_id,
           -- The cells as read, for Python to judge or word a refusal.
           CASE WHEN verdict <> 'ok' THEN ARRAY[rk, re, ra, rs] END AS raw
    FROM (
      SELECT *,
             CASE
               WHEN coalesce(k, '') = '' OR coalesce(e, '') = '' OR coalesce(a, '') = ''
                 THEN 'refused'
               -- A time SQL does not convert, one out of the accepted years, or a
               -- 32-character id Python's UUID parser may still read: Python decides.
               WHEN occurred IS NULL
                 OR (kind = 3 AND extract(year FROM naive)
                     NOT BETWEEN %(earliest)s AND %(latest)s)
                 OR (coalesce(s, '') <> '' AND char_length(hex) = 32
                     AND hex !~ '^[0-9a-fA-F]{{32}}$')
                 THEN 'python'
               WHEN char_length(k) > %(max_key)s OR verb = ''
                 OR char_length(verb) > %(max_verb)s OR occurred > %(latest_time)s
                 OR (coalesce(s, '') <> '' AND hex !~ '^[0-9a-fA-F]{{32}}$')
                 THEN 'refused'
               ELSE 'ok'
             END AS verdict
      FROM (
        SELECT *,
               CASE
                 WHEN aware_at IS NOT NULL THEN aware_at
                 WHEN naive IS NULL THEN NULL
                 -- PostgreSQL reads a time that occurs twice (the clocks go back) as the
                 -- later one, Python (fold 0) as the earlier: take the earliest instant.
                 WHEN ((naive AT TIME ZONE %(zone)s) - interval '2 hours')
                      AT TIME ZONE %(zone)s = naive
                   THEN (naive AT TIME ZONE %(zone)s) - interval '2 hours'
                 WHEN ((naive AT TIME ZONE %(zone)s) - interval '1 hour')
                      AT TIME ZONE %(zone)s = naive
                   THEN (naive AT TIME ZONE %(zone)s) - interval '1 hour'
                 WHEN ((naive AT TIME ZONE %(zone)s) - interval '30 minutes')
                      AT TIME ZONE %(zone)s = naive
                   THEN (naive AT TIME ZONE %(zone)s) - interval '30 minutes'
                 ELSE naive AT TIME ZONE %(zone)s
               END AS occurred
        FROM (
          SELECT row, rk, re, ra, rs, k, e, a, s, verb, hex, kind,
                 CASE
                   WHEN kind = 1 AND real AND aware THEN a::timestamptz
                 END AS aware_at,
                 CASE
                   WHEN kind = 1 AND real AND NOT aware THEN a::timestamp
                   WHEN kind = 2 AND real THEN make_timestamp(y, mo, d, h, mi, sec)
                   WHEN kind = 3 AND serial BETWEEN 1 AND %(max_serial)s
                   THEN timestamp '1899-12-30'
                        + make_interval(secs => floor(round(serial * 86400, 6)))
                 END AS naive
          FROM (
            SELECT *,
                   y BETWEEN %(earliest)s AND %(latest)s AND mo BETWEEN 1 AND 12
                   AND d BETWEEN 1 AND CASE
                     WHEN d <= 28 THEN 28
                     WHEN mo IN (4, 6, 9, 11) THEN 30
                     WHEN mo <> 2 THEN 31
                     WHEN y %% 4 = 0 AND (y %% 100 <> 0 OR y %% 400 = 0) THEN 29
                     ELSE 28 END
                   AND h < 24 AND mi < 60 AND sec < 60 AND oh < 15 AND om < 60 AS real
            FROM (
              SELECT row, rk, re, ra, rs, k, e, a, s, verb, hex, kind, fast, aware,
                     CASE kind WHEN 1 THEN substr(a, 1, 4)::int
                               WHEN 2 THEN left(split_part(dmy, '/', 3), 4)::int END AS y,
                     CASE kind WHEN 1 THEN substr(a, 6, 2)::int
                               WHEN 2 THEN split_part(dmy, '/', 2)::int END AS mo,
                     CASE kind WHEN 1 THEN substr(a, 9, 2)::int
                               WHEN 2 THEN split_part(dmy, '/', 1)::int END AS d,
                     CASE WHEN kind = 1 AND length(a) > 10 THEN substr(a, 12, 2)::int
                          WHEN kind = 2 THEN coalesce(nullif(split_part(clock, ':', 1), ''),
                                                      '0')::int
                          ELSE 0 END AS h,
                     CASE WHEN kind = 1 AND length(a) > 10 THEN substr(a, 15, 2)::int
                          WHEN kind = 2 THEN coalesce(nullif(split_part(clock, ':', 2), ''),
                                                      '0')::int
                          ELSE 0 END AS mi,
                     CASE WHEN kind = 1 AND substr(a, 17, 1) = ':'
                            THEN substr(a, 18, 2)::int
                          WHEN kind = 2 THEN coalesce(nullif(split_part(clock, ':', 3), ''),
                                                      '0')::int
                          ELSE 0 END AS sec,
                     CASE WHEN fast AND length(a) = 25 THEN substr(a, 21, 2)::int
                          ELSE 0 END AS oh,
                     CASE WHEN fast AND length(a) = 25 THEN substr(a, 24, 2)::int
                          ELSE 0 END AS om,
                     CASE WHEN kind = 3 THEN replace(a, ',', '.')::numeric END AS serial
              FROM (
                SELECT *,
                       CASE WHEN kind = 2 THEN translate(a, '.T', '/ ') END AS dmy,
                       CASE WHEN kind = 2
                         THEN split_part(split_part(translate(a, '.T', '/ '), '/', 3), ' ', 2)
                       END AS clock,
                       kind = 1 AND (right(a, 1) = 'Z' OR (length(a) > 16 AND (
                         strpos(substr(a, 17), '+') > 0 OR strpos(substr(a, 17), '-') > 0)))
                         AS aware
                FROM (
                  SELECT *,
                         CASE WHEN fast OR a ~ %(iso)s THEN 1
                              WHEN a ~ %(day_first)s THEN 2
                              WHEN a ~ %(serial)s THEN 3 END AS kind
                  FROM (
                    SELECT *,
                           split_part(rtrim(e, '/'), '/', -1) AS verb,
                           replace(btrim(replace(replace(s, 'urn:', ''), 'uuid:', ''), '{{}}'),
                                   '-', '') AS hex,
                           -- 2026-05-31T14:30:00, then nothing, Z or +hh:mm: digits
                           -- wherever the punctuation is not.
                           substr(a, 5, 1) = '-' AND substr(a, 8, 1) = '-'
                           AND substr(a, 11, 1) IN ('T', ' ')
                           AND substr(a, 14, 1) = ':' AND substr(a, 17, 1) = ':'
                           AND CASE length(a)
                             WHEN 19 THEN translate(a, '0123456789', '') IN ('--T::', '-- ::')
                             WHEN 20 THEN right(a, 1) = 'Z'
                               AND translate(a, '0123456789', '') IN ('--T::Z', '-- ::Z')
                             WHEN 25 THEN substr(a, 20, 1) IN ('+', '-')
                               AND substr(a, 23, 1) = ':' AND translate(
                               a, '0123456789', '') IN ('--T::+:', '--T::-:', '-- ::+:', '-- ::-:')
                             ELSE false END AS fast
                    FROM (
                      SELECT line + 1 AS row,
                             {column("learner_key")} AS rk, {column("event_type")} AS re,
                             {column("occurred_at")} AS ra, {column("statement_id")} AS rs,
                             btrim({column("learner_key")}, %(ws)s) AS k,
                             btrim({column("event_type")}, %(ws)s) AS e,
                             btrim({column("occurred_at")}, %(ws)s) AS a,
                             btrim({column("statement_id")}, %(ws)s) AS s
                      FROM import_raw
                      WHERE btrim(concat({everything}), %(ws)s) <> ''
                      OFFSET 0
                    ) cells OFFSET 0
                  ) shaped OFFSET 0
                ) kinds OFFSET 0
              ) pieces OFFSET 0
            ) fields OFFSET 0
          ) checked OFFSET 0
        ) local OFFSET 0
      ) converted OFFSET 0
    ) judged
    """  # noqa: S608


def _check_params(zone: str, now: datetime) -> dict[str, Any]:
    return {
        "ws": WHITESPACE,
        "iso": ISO,
        "day_first": DAY_FIRST,
        "serial": SERIAL,
        "zone": zone,
        "earliest": EARLIEST_YEAR,
        "latest": LATEST_YEAR,
        "max_serial": tabular.EXCEL_MAX_SERIAL,
        "max_key": engagement.MAX_LEARNER_KEY,
        "max_verb": engagement.MAX_EVENT_TYPE,
        "latest_time": now + timedelta(minutes=5),
    }


def _raw_rows(
    cursor: Any, header: list[str], positions: dict[str, int | None], where: str, limit: int
) -> list[tuple[int, list[Any]]]:
    """Rows of import_checked whose verdict is `where`, as the csv module reads them."""
    cursor.execute(
        "SELECT row, raw FROM import_checked WHERE verdict = %s ORDER BY row LIMIT %s",
        [where, limit],
    )
    rows = []
    for number, cells in cursor.fetchall():
        raw: list[Any] = [""] * len(header)
        for name, value in zip(FIELDS, cells, strict=True):
            if (position := positions.get(name)) is not None:
                raw[position] = value or ""  # COPY reads an empty cell as NULL
        rows.append((number, raw))
    return rows


def _ask_python(
    cursor: Any, header: list[str], positions: dict[str, int | None], judge: Judge
) -> None:
    """Judge the rows SQL left to Python with the row path's own functions."""
    while batch := _raw_rows(cursor, header, positions, "python", 5000):
        verdicts: list[tuple[Any, ...]] = []
        for number, raw in batch:
            _, event = judge(number, raw)
            if event is None:
                verdicts.append((number, "refused", None, None, None, None))
            else:
                verdicts.append((number, "ok", *event))
        cursor.executemany(
            "UPDATE import_checked SET verdict = %s, learner_key = %s, event_type = %s, "
            "occurred_at = %s, statement_id = %s WHERE row = %s",
            [(v, k, e, o, s, n) for n, v, k, e, o, s in verdicts],
        )


def _word_refusals(
    cursor: Any, header: list[str], positions: dict[str, int | None], judge: Judge, limit: int
) -> list[Any]:
    refusals: list[Any] = []
    for number, raw in _raw_rows(cursor, header, positions, "refused", limit):
        reasons, _ = judge(number, raw)
        refusals.extend(reasons)
        if len(refusals) >= limit:
            break
    return refusals[:limit]
