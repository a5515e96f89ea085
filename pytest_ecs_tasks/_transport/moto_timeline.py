"""Where the timeline feed's events and log lines go: moto's EventBridge and CloudWatch Logs.

Events go on the default event bus of their region, to every enabled rule whose
pattern matches, and on to its targets as moto delivers them (SQS, CloudWatch Logs,
archives, other buses; see moto's ``put_events``). The envelope is the feed's own
(its ``id`` included), with ``time`` in epoch seconds as moto's targets read it
(they write it back as ISO 8601 text, to the second, as EventBridge does).

Lines go to the group and stream their container's ``awslogs`` options name, with
the virtual moment as both ``timestamp`` and ``ingestionTime``.
"""

from __future__ import annotations

import copy
import warnings
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from .._logs import ContainerLog
from .._service.timeline_feed import DeliveryWarning
from .moto_ecs import MOTO_LOCK

__all__ = ["MotoEvents", "MotoLogs"]


#: The most failed deliveries a sink keeps to report (the count of the rest is kept).
_PROBLEMS_KEPT = 100


class _Problems:
    """Deliveries that failed, kept to report when the fake stops: a warning raised
    from within an ECS call (an error under ``-W error``) would fail a call whose work
    was done, and botocore would retry it (RunTask would start its tasks again)."""

    def __init__(self) -> None:
        self.problems: deque[str] = deque(maxlen=_PROBLEMS_KEPT)
        self.failed = 0

    def _failed(self, what: str, exc: BaseException) -> None:
        self.failed += 1
        self.problems.append(
            f"pytest-ecs-tasks could not deliver {what}: {type(exc).__name__}: {exc}"
        )

    def warn(self) -> None:
        """Warn (``DeliveryWarning``) of each failed delivery kept, and forget them."""
        problems, failed = list(self.problems), self.failed
        self.problems.clear()
        self.failed = 0
        for problem in problems:
            warnings.warn(DeliveryWarning(problem), stacklevel=3)
        if failed > len(problems):
            warnings.warn(
                DeliveryWarning(f"... and {failed - len(problems)} more failed deliveries"),
                stacklevel=3,
            )


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class MotoEvents(_Problems):
    """Puts events on moto's default event bus (``_service.timeline_feed.EventSink``)."""

    def wants(self, region: str, account_id: str) -> bool:
        """Whether the default bus of ``region`` has a rule (else nothing to deliver)."""
        from moto.events.models import events_backends

        with MOTO_LOCK:
            backend = events_backends[account_id].get(region)
            if backend is None:
                return False
            bus = backend.event_buses.get("default")
            return bus is not None and bool(bus.rules)

    def put_event(self, region: str, account_id: str, event: dict[str, Any]) -> None:
        from moto.events.models import events_backends

        moment = datetime.fromisoformat(event["detail"]["updatedAt"].replace("Z", "+00:00"))
        with MOTO_LOCK:
            bus = events_backends[account_id][region].event_buses.get("default")
            if bus is None:
                return
            for rule in list(bus.rules.values()):
                if getattr(rule, "state", "ENABLED") != "ENABLED":
                    continue  # EventBridge delivers nothing to a disabled rule
                if not rule.event_pattern.matches_event(event):
                    continue
                for target in list(rule.targets):
                    # one target at a time: one that fails does not keep the next from
                    # its event, as in EventBridge
                    single = copy.copy(rule)
                    single.targets = [target]
                    message = copy.deepcopy(event)
                    message["time"] = moment.timestamp()
                    # moto rebuilds the event from its default input template unless told
                    # not to (dropping ``account``, at about 13 ms an event): only targets
                    # with an InputTransformer (archives among them) need the template.
                    transform = bool(target.get("InputTransformer"))
                    if transform:
                        message["ingestion-time"] = moment.timestamp()
                    try:
                        single.send_to_targets(message, transform_input=transform)
                    except Exception as exc:
                        self._failed(
                            f"the event {event['id']} to target {target.get('Id')!r} of rule "
                            f"{rule.name!r}",
                            exc,
                        )


class MotoLogs(_Problems):
    """Writes containers' lines to moto's CloudWatch Logs (``_service.timeline_feed.LogSink``)."""

    def make_stream(self, account_id: str, log: ContainerLog) -> None:
        with MOTO_LOCK:
            try:
                group = self._group(account_id, log)
                if log.stream not in group.streams:
                    group.create_log_stream(log.stream)
            except Exception as exc:
                self._failed(f"the log stream {log.group}/{log.stream}", exc)

    def put_lines(
        self, account_id: str, log: ContainerLog, lines: Sequence[tuple[datetime, str]]
    ) -> None:
        with MOTO_LOCK:
            try:
                group = self._group(account_id, log)
                if log.stream not in group.streams:
                    group.create_log_stream(log.stream)
                stream = group.streams[log.stream]
                before = len(stream.events)
                group.put_log_events(
                    log.stream, [{"timestamp": _ms(at), "message": text} for at, text in lines]
                )
            except Exception as exc:
                self._failed(
                    f"{len(lines)} line(s) to the log stream {log.group}/{log.stream}", exc
                )
                return
            for event, (at, _) in zip(stream.events[before:], lines, strict=True):
                event.ingestion_time = _ms(at)  # ingested as it was written, in virtual time
            # The stream's last ingestion too, in the type this moto keeps it in (epoch
            # milliseconds before 5.2.5, a naive UTC datetime since).
            last = lines[-1][0]
            if isinstance(stream.last_ingestion_time, datetime):
                stream.last_ingestion_time = last.astimezone(timezone.utc).replace(tzinfo=None)
            elif isinstance(stream.last_ingestion_time, (int, float)):
                stream.last_ingestion_time = _ms(last)

    @staticmethod
    def _group(account_id: str, log: ContainerLog) -> Any:
        """``log``'s group, made if missing. With ``awslogs-create-group`` the driver
        makes it; without, the real task would fail to start (its logger cannot find
        the group). Inferred leniency: the fake makes it either way, so that a test
        that forgot to create the group still sees its lines (the docs say so)."""
        from moto.logs.models import logs_backends

        backend = logs_backends[account_id][log.region]
        group = backend.groups.get(log.group)
        if group is None:
            group = backend.create_log_group(log.group, tags={})
        return group
