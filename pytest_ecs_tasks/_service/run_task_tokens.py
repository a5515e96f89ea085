"""RunTask's client tokens: a request retried with the same token and the same
parameters gets the first answer again and starts nothing; the same token with
other parameters is a ``ConflictException``.

Rules from the developer guide's "Ensuring idempotency" (Idempotency for RunTask):
tokens are per cluster ("ClientToken A can only be used as a request parameter one
time for RunTask requests in Cluster X ... you can use ClientToken A for a RunTask
request for cluster Y"); a retry "with the same client token and the same request
parameters after it has completed successfully" returns "the result of the
original request", where "Tasks that have been stopped for under an hour only
include the task ARN, last status, and desired status"; "one or more of the
parameters are different ... the retry fails with a ConflictException"; a token
lives 24 hours, or the lifetime of its tasks (until the last one STOPPED) plus one
hour, whichever is lower. botocore fills in a fresh token for every call that
does not give one, so every boto3 RunTask has one.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .run_task_lookups import ConflictError
from .state import Cluster, RegionState, TaskEntry

__all__ = ["ClientTokens"]

#: How long a token is remembered at most, and after its last task stopped.
_TTL = timedelta(hours=24)
_AFTER_STOP = timedelta(hours=1)
#: At most this many tokens per cluster (the oldest forgotten first): botocore gives
#: every call its own, and a long test must not grow without bound (inferred limit).
_LIMIT = 10_000
#: Where a service keeps its clusters' tokens (a cluster incarnation gone, its tokens go).
_STORE = "_run_task_client_tokens"


@dataclass
class _Answered:
    """A request a token was used for, and what it answered."""

    params: dict[str, Any]
    entries: list[TaskEntry]
    failures: list[dict[str, str]]
    at: datetime


class ClientTokens:
    """The client tokens RunTask was given on one cluster incarnation."""

    def __init__(self) -> None:
        self._answered: dict[str, _Answered] = {}

    @classmethod
    def of(cls, service: object, cluster: Cluster) -> ClientTokens:
        """``cluster``'s tokens, kept on ``service``."""
        store: weakref.WeakKeyDictionary[Cluster, ClientTokens] = vars(service).setdefault(
            _STORE, weakref.WeakKeyDictionary()
        )
        tokens = store.get(cluster)
        if tokens is None:
            tokens = store[cluster] = cls()
        return tokens

    def replay(
        self, token: str, params: dict[str, Any], region_state: RegionState, now: datetime
    ) -> dict[str, Any] | None:
        """The answer to a retried request, or ``None`` if ``token`` is new here (or
        expired); ``ConflictError`` if it was used with other parameters."""
        answered = self._answered.get(token)
        if answered is None:
            return None
        if self._expired(answered, now):
            del self._answered[token]
            return None
        if _without_token(params) != answered.params:
            # the code and resourceIds are the model's ("The provided clientToken is
            # already in use with a different RunTask request. The resourceIds are the
            # existing task ARNs"); the message is inferred from that text
            raise ConflictError(
                "The specified client token is already in use with a different RunTask request.",
                [entry.arn for entry in answered.entries],
            )
        tasks = []
        for entry in answered.entries:
            stored = region_state.tasks.get(entry.task_id) is entry
            if stored and entry.last_status(now) != "STOPPED":
                tasks.append(entry.describe(now, with_tags=True))
            else:
                tasks.append(
                    {
                        "taskArn": entry.arn,
                        "lastStatus": "STOPPED",
                        "desiredStatus": entry.desired_status(now) if stored else "STOPPED",
                    }
                )
        return {"tasks": tasks, "failures": [dict(f) for f in answered.failures]}

    def remember(
        self,
        token: str,
        params: dict[str, Any],
        entries: list[TaskEntry],
        failures: list[dict[str, str]],
        now: datetime,
    ) -> None:
        """Keep what a request with ``token`` answered (forgetting expired tokens)."""
        answered = self._answered
        while answered:
            oldest = next(iter(answered))
            if len(answered) < _LIMIT and now - answered[oldest].at < _TTL:
                break
            del answered[oldest]
        answered[token] = _Answered(_without_token(params), list(entries), list(failures), now)

    @staticmethod
    def _expired(answered: _Answered, now: datetime) -> bool:
        if now - answered.at >= _TTL:
            return True
        if not answered.entries:
            return False
        stops = [entry.stopped_at() for entry in answered.entries]
        if any(stop is None or stop > now for stop in stops):
            return False
        return now - max(stop for stop in stops if stop is not None) > _AFTER_STOP


def _without_token(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if key != "clientToken"}
