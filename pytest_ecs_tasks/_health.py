"""Container health checks: a container definition's ``healthCheck`` (``HealthCheck``),
when a running container turns ``HEALTHY`` or ``UNHEALTHY`` (``HealthPlan``), and
the task's ``healthStatus`` made of its containers' (``task_health``).

What the service does (botocore's ECS model, ``HealthCheck`` and ``Task.healthStatus``):

- ``interval`` 5-300 s (default 30), ``timeout`` 2-60 s (default 5), ``retries`` 1-10
  (default 3), ``startPeriod`` 0-300 s (default: off).
- A container reports ``UNKNOWN`` while its checks are evaluated and when it has no
  check, ``HEALTHY`` once a check passed, ``UNHEALTHY`` after ``retries`` failed checks.
  A check that passes within ``startPeriod`` makes the container healthy; failures
  within ``startPeriod`` do not count, unless the container was healthy before
  (Docker's ``handleProbeResult`` rule).
- A task's status follows its essential containers, by priority: ``UNHEALTHY`` if
  one is, else ``UNKNOWN`` if one is, else ``HEALTHY``.

Inferred here: the checks run every ``interval`` from the container's start (the first
one ``interval`` after it) and a failing check fails at once (a non-zero exit, not a
hang until ``timeout``); a container's status stays what it was last heard as once it
stops; only containers with a check count towards the task's status, and the
non-essential ones count only when no essential container has a check (the API
reference said so until 2023).

Floor 1: imports nothing from the rest of the package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

__all__ = ["HEALTH_STATUSES", "HealthCheck", "HealthPlan", "plan_health", "task_health"]

HEALTH_STATUSES: tuple[str, ...] = ("HEALTHY", "UNHEALTHY", "UNKNOWN")

#: ``healthCheck`` member -> (the field here, default, lowest, highest): seconds, or
#: a count for ``retries``. ``startPeriod``'s default is "off", the same as 0.
_MEMBERS: dict[str, tuple[str, int, int, int]] = {
    "interval": ("interval", 30, 5, 300),
    "timeout": ("timeout", 5, 2, 60),
    "retries": ("retries", 3, 1, 10),
    "startPeriod": ("start_period", 0, 0, 300),
}


@dataclass(frozen=True)
class HealthCheck:
    """A container definition's ``healthCheck``, with the service's defaults."""

    interval: timedelta = timedelta(seconds=30)
    timeout: timedelta = timedelta(seconds=5)
    retries: int = 3
    start_period: timedelta = timedelta(0)

    @classmethod
    def from_definition(cls, value: object, *, container: str = "") -> HealthCheck | None:
        """The check a container definition's ``healthCheck`` describes (``None``: it
        has none: absent, or a ``command`` that is empty or ``["NONE"]``). Values
        outside the ranges RegisterTaskDefinition takes raise ``ValueError``."""
        if value is None:
            return None
        where = f"containers[{container!r}].healthCheck" if container else "healthCheck"
        if not isinstance(value, Mapping):
            raise ValueError(f"{where}={value!r} must be a dict with a 'command'")
        command = value.get("command")
        if command is not None and (
            not isinstance(command, (list, tuple)) or not all(isinstance(c, str) for c in command)
        ):
            raise ValueError(f"{where}.command={command!r} must be a list of strings")
        if not command or command[0] == "NONE":
            return None
        found: dict[str, Any] = {}
        for member, (name, default, lowest, highest) in _MEMBERS.items():
            given = value.get(member)
            number = default if given is None else given
            if isinstance(number, bool) or not isinstance(number, int):
                raise ValueError(f"{where}.{member}={given!r} must be a whole number")
            if not lowest <= number <= highest:
                raise ValueError(
                    f"{where}.{member}={given!r} is out of range: valid: {lowest} to {highest}"
                )
            found[name] = number if name == "retries" else timedelta(seconds=number)
        return cls(**found)


@dataclass(frozen=True)
class HealthPlan:
    """When a container's health changes: ``UNKNOWN`` until ``healthy_at`` (if any),
    ``UNHEALTHY`` from ``unhealthy_at`` (if any)."""

    healthy_at: datetime | None
    unhealthy_at: datetime | None

    def status_at(self, when: datetime) -> str:
        if self.unhealthy_at is not None and self.unhealthy_at <= when:
            return "UNHEALTHY"
        if self.healthy_at is not None and self.healthy_at <= when:
            return "HEALTHY"
        return "UNKNOWN"

    def changes(self) -> tuple[datetime, ...]:
        """The instants its status changes at, in order."""
        return tuple(t for t in (self.healthy_at, self.unhealthy_at) if t is not None)

    def shifted(self, delta: timedelta) -> HealthPlan:
        return HealthPlan(
            None if self.healthy_at is None else self.healthy_at + delta,
            None if self.unhealthy_at is None else self.unhealthy_at + delta,
        )

    def until(self, end: datetime | None) -> HealthPlan:
        """This plan for a container that stops at ``end``: no change from then on."""
        if end is None:
            return self
        return HealthPlan(
            self.healthy_at if self.healthy_at is not None and self.healthy_at < end else None,
            self.unhealthy_at
            if self.unhealthy_at is not None and self.unhealthy_at < end
            else None,
        )


def _ceil_div(numerator: timedelta, denominator: timedelta) -> int:
    """``ceil(numerator / denominator)``, exactly (timedelta's integer division)."""
    return -(-numerator // denominator)


def plan_health(
    check: HealthCheck, started_at: datetime, unhealthy_after: timedelta | None = None
) -> HealthPlan:
    """A container started at ``started_at`` whose checks pass until ``unhealthy_after``
    after its start and fail from then on (``None``: they always pass).

    Check ``k`` (1, 2, ...) runs at ``started_at + k * interval``: computed, never
    looped over."""
    interval = check.interval
    healthy = unhealthy_after is None or interval < unhealthy_after
    healthy_at = started_at + interval if healthy else None
    if unhealthy_after is None:
        return HealthPlan(healthy_at, None)
    # The first failing check: the first k >= 1 with k * interval >= unhealthy_after.
    first_failure = max(1, _ceil_div(unhealthy_after, interval))
    if not healthy:
        # Never healthy: the failures within startPeriod do not count.
        first_failure = max(first_failure, _ceil_div(check.start_period, interval))
    last = first_failure + check.retries - 1
    return HealthPlan(healthy_at, started_at + last * interval)


def task_health(containers: Iterable[tuple[bool, str | None]]) -> str:
    """The task's ``healthStatus`` from its containers' ``(essential, status)``, where
    ``status`` is ``None`` for a container without a health check."""
    essential: list[str] = []
    other: list[str] = []
    for is_essential, status in containers:
        if status is not None:
            (essential if is_essential else other).append(status)
    counted = essential or other
    if not counted:
        return "UNKNOWN"
    if "UNHEALTHY" in counted:
        return "UNHEALTHY"
    if "UNKNOWN" in counted:
        return "UNKNOWN"
    return "HEALTHY"
