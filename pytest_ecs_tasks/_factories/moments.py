"""The moments a factory's task describes: its lifecycle planned (a
``Timeline``), and a moment drawn at which the
plan shows the ``lastStatus`` asked for (the record describes that moment)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .. import _lifecycle as lifecycle
from .draws import randgen

__all__ = ["moment_in", "planned", "seconds", "stopped_before"]

_random = randgen().random
_uniform = randgen().uniform


def seconds(low: float, high: float) -> timedelta:
    """A random duration from ``low`` to ``high`` seconds (``random.uniform``'s)."""
    return timedelta(0, low + (high - low) * _random())


def moment_in(timeline: lifecycle.Timeline, target: str, stop_code: str | None) -> datetime:
    """A moment at which ``timeline`` shows ``target`` as its ``lastStatus``."""
    stages = timeline.stages
    index = next((i for i, (name, _) in enumerate(stages) if name == target), None)
    if index is None:
        reason = f"with stopCode={stop_code!r}" if stop_code else "on this launch type"
        raise ValueError(
            f"lastStatus={target!r} never happens {reason}; it goes through "
            + " -> ".join(name for name, _ in stages)
        )
    start = stages[index][1]
    if index + 1 < len(stages):
        end = stages[index + 1][1]
        within: datetime = start + (end - start) * _uniform(0.1, 0.9)
        return within
    if target == "STOPPED":
        return start + seconds(60, 40 * 60)
    later: datetime = start + seconds(30, 6 * 3600)
    return later


_PLANS: dict[tuple[bool, str | None], lifecycle.Timeline] = {}
_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def planned(awsvpc: bool, start_failure: str | None) -> lifecycle.Timeline:
    """A task's plan before it is placed in time (its instants are moved later)."""
    key = (awsvpc, start_failure)
    plan = _PLANS.get(key)
    if plan is None:
        timings = lifecycle.Timings() if awsvpc else lifecycle.EC2_TIMINGS
        plan = lifecycle.Timeline.plan(
            _EPOCH, awsvpc=awsvpc, timings=timings, start_failure=start_failure
        )
        if len(_PLANS) < 64:
            _PLANS[key] = plan
    return plan


#: Per plan (awsvpc or not): how long after creation a task starts, and how long
#: after a stop is asked for it is STOPPED (give or take the second that
#: executionStoppedAt rounds to).
_OFFSETS: dict[bool, tuple[timedelta, timedelta]] = {}


def stopped_before(
    plan: lifecycle.Timeline, now: datetime, stop_code: str, reason: str
) -> lifecycle.Timeline:
    """``plan``, run for a while, stopped, and STOPPED one to forty minutes
    before ``now``: built where it belongs at once (not built, then moved)."""
    offsets = _OFFSETS.get(plan.awsvpc)
    if offsets is None:
        started = plan.instants["startedAt"]
        asked = started + timedelta(minutes=1)
        ended = plan.stopped(asked, stop_code, reason)
        assert ended.stopped_at is not None
        offsets = _OFFSETS[plan.awsvpc] = (
            started - plan.created_at,
            ended.stopped_at - asked,
        )
    started_after, stopped_after = offsets
    ran_for = seconds(20, 3 * 3600)
    asked = now - seconds(60, 40 * 60) - stopped_after
    created = asked - ran_for - started_after
    stop = lifecycle.Stop(asked, stop_code, reason)
    return lifecycle.Timeline(created, plan.awsvpc, plan.timings, None, stop)
