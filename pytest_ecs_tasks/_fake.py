"""``FakeEcs``: the fake ECS task service and the transport that puts it behind boto3."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast, overload

import boto3

from . import _arguments as arguments
from ._clock import Clock, When, push_active, travel_with
from ._factories import task_parts
from ._fake_services import ServiceCommands
from ._fake_tasks import client_error
from ._service.dispatch import SERVED_OPERATIONS, Call, EcsService
from ._service.errors import EcsError
from ._service.faults import Fault
from ._settings import (
    START_HINTS,
    InvalidTaskIds,
    Settings,
    Source,
    Surface,
    TaskOrder,
    check,
    settings_from,
)
from ._started import StartStop
from ._tags import TagsInput, to_tag_list
from ._transport import moto_ec2, moto_ecs, moto_placement, moto_timeline
from ._transport.environment import isolate
from ._transport.moto_bridge import EcsRoute
from ._transport.virtual_time import install_sleeper

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient

    from ._record_types import ClusterRecord

__all__ = ["FakeEcs"]


class _RuntimeSetting:
    """A setting a running fake can change: read from its service, checked by
    ``_settings`` when set (``fake.retention = "90m"``)."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc

    @overload
    def __get__(self, fake: None, owner: type[FakeEcs]) -> _RuntimeSetting: ...

    @overload
    def __get__(self, fake: FakeEcs, owner: type[FakeEcs]) -> timedelta: ...

    def __get__(self, fake: FakeEcs | None, owner: type[FakeEcs]) -> timedelta | _RuntimeSetting:
        if fake is None:
            return self
        value: timedelta = getattr(fake._service, self.name)
        return value

    def __set__(self, fake: FakeEcs, value: timedelta | float | str) -> None:
        setattr(fake._service, self.name, check(self.name, value, _SETTER))


class FakeEcs(ServiceCommands, StartStop):
    """A fake Amazon ECS task service with a controllable clock.

    While started, every boto3 ECS client (any region) is answered by the fake
    for the task and cluster operations, and by moto for the rest. Use it as a
    context manager, or ``start()`` / ``stop()``; in pytest, use the
    ``ecs_tasks`` fixture, which is one of these.

    Every argument is an option of the configuration reference, with the same
    default, meaning and accepted forms (text like ``"90m"`` or ``"now"``, and
    Python values: ``datetime``, ``timedelta``, seconds, ``bool``); a bad value
    raises ``SettingError`` naming the argument, the value and what is valid.
    ``seed`` reseeds the factories when given.
    """

    region: str
    """The home region: where the Python API works and ``client()`` points
    (clients for any region are served either way)."""
    account_id: str
    """The account the fake's ARNs name (twelve digits)."""
    time_machine: bool
    """Whether ``datetime.now()`` and ``time.time()`` follow the clock while started."""
    clock: Clock
    """The fake's clock: tasks walk their lifecycle as it moves, and nothing
    happens until it does."""

    def __init__(
        self,
        region: str = Settings.region,
        account_id: str = Settings.account_id,
        *,
        start: When | None = None,
        retention: timedelta | float | str = Settings.retention,
        long_arn_format: bool = Settings.long_arn_format,
        eventual_consistency: timedelta | float | str = Settings.eventual_consistency,
        time_machine: bool = Settings.time_machine,
        invalid_task_ids: InvalidTaskIds = Settings.invalid_task_ids,
        task_order: TaskOrder = Settings.task_order,
        calls_limit: int = Settings.calls_limit,
        events_limit: int = Settings.events_limit,
        seed: int | None = Settings.seed,
    ) -> None:
        given = dict(locals())
        del given["self"]
        self._configure(settings_from([(Source("FakeEcs()", surface="FakeEcs"), given)]))

    def _configure(self, settings: Settings, surface: Surface = "FakeEcs") -> None:
        if settings.seed is not None:
            from ._factories import reseed

            reseed(settings.seed)
        self._settings = settings
        self.region = settings.region
        self.account_id = settings.account_id
        self.time_machine = settings.time_machine
        self.clock = Clock(settings.start)
        self.clock._start_hint = START_HINTS[surface]
        self._start = self.clock.now()
        self._service = self._new_service()
        # Through self, so that reset() can put a fresh service behind the same route.
        self._route = EcsRoute(self._dispatch)
        self._undo: list[Any] = []
        self._lock = threading.Lock()
        self._undelivered: list[moto_timeline.MotoEvents | moto_timeline.MotoLogs] = []
        # Events and log lines are written as the clock passes them, however it moves.
        self.clock.on_move(lambda now: self._service.publish())

    @classmethod
    def _from_settings(cls, settings: Settings, surface: Surface) -> FakeEcs:
        """A fake configured by settings already checked (the plugin's, the command
        line's), reseeding the factories first when they name a seed. ``surface``
        is where they were given: the clock's errors say how to set its start there."""
        fake = cls.__new__(cls)
        fake._configure(settings, surface)
        return fake

    def _new_service(self) -> EcsService:
        service = EcsService(
            self.clock,
            task_parts,
            self._settings,
            task_definitions=moto_ecs.task_definition,
            cluster_mirror=moto_ecs.MotoClusters(),
        )
        # RunTask reads a cluster's capacity and container instances from moto's ECS,
        # and checks subnets and makes ENIs in moto's EC2.
        service.placement = moto_placement.MotoPlacement()
        service.network = moto_ec2.MotoNetwork()
        return service

    def _deliver(self, on: bool) -> None:
        """While started, events also go on moto's event buses and lines to its
        CloudWatch Logs; stopped, events are only kept in ``events``. The sinks
        taken away keep what they failed to deliver for ``_warn_undelivered``."""
        feed = self._service.feed
        for sink in (feed.event_sink, feed.log_sink):
            if isinstance(sink, moto_timeline.MotoEvents | moto_timeline.MotoLogs):
                self._undelivered.append(sink)
        feed.event_sink = moto_timeline.MotoEvents() if on else None
        feed.log_sink = moto_timeline.MotoLogs() if on else None

    def _warn_undelivered(self) -> None:
        """Warn (``DeliveryWarning``) of the events and lines moto could not take, now
        that no ECS call is under way (warnings raised within one would fail it)."""
        sinks, self._undelivered = self._undelivered, []
        for sink in sinks:
            sink.warn()

    def _dispatch(
        self, region: str, operation: str, body: bytes
    ) -> tuple[int, dict[str, str], bytes] | None:
        return self._service.dispatch(region, operation, body)

    def reset(self) -> None:
        """Back to a fresh fake with the same settings: no clusters, tasks, faults,
        plans or calls, the clock back at its start, and moto's ECS state (task
        definitions, services, ...) of the fake's account cleared. The same
        ``FakeEcs`` and ``Clock`` objects stay in use, started or not."""
        with self._lock:
            self.clock._rewind(self._start)
            self._deliver(False)  # the old sinks' failures are kept to report
            self._service = self._new_service()
            self._deliver(self.active)
            moto_ecs.reset_account(self.account_id)

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return f"<FakeEcs {self.region} {self.account_id} {state} clock={self.clock.now().isoformat()}>"

    # -- starting and stopping ---------------------------------------------------------

    @property
    def active(self) -> bool:
        """Whether the fake is started (serving ECS requests)."""
        return bool(self._undo)

    def start(self) -> FakeEcs:
        """Serve ECS requests from now on (starts or joins moto's ``mock_aws``)."""
        with self._lock:
            if self._undo:
                raise RuntimeError("this FakeEcs is already started; stop() it first")
            self._undo.append(isolate(self.region))
            try:
                self._route.start()
                self._undo.append(self._route.stop)
                self._undo.append(install_sleeper(self.clock.sleep))
                self._undo.append(push_active(self.clock))
                if self.time_machine:
                    self._undo += travel_with(self.clock)
                self._deliver(True)
                self._undo.append(lambda: self._deliver(False))
            except BaseException:
                self._stop_locked()
                raise
        return self

    def stop(self) -> None:
        """Undo everything ``start()`` did. Safe to call twice. Events or log lines moto
        could not take are reported then, as ``DeliveryWarning``s."""
        with self._lock:
            self._stop_locked()
        self._warn_undelivered()

    def _stop_locked(self) -> None:
        while self._undo:
            self._undo.pop()()

    # -- settings ---------------------------------------------------------------------

    retention = _RuntimeSetting(
        "retention", "How long a STOPPED task stays describable (default: 1 hour)."
    )
    """How long a STOPPED task stays describable (default: 1 hour). Settable while
    the fake runs, in the forms ``FakeEcs(retention=...)`` takes: ``fake.retention
    = "90m"``."""
    eventual_consistency = _RuntimeSetting(
        "eventual_consistency",
        "How long a task RunTask just started stays MISSING to DescribeTasks (default 0).",
    )
    """How long a task RunTask just started stays MISSING to DescribeTasks and out
    of ListTasks (default 0). Settable while the fake runs, like ``retention``."""

    def _current_settings(self) -> Settings:
        """The settings as they are now (retention and eventual_consistency can change)."""
        return dataclasses.replace(
            self._settings,
            retention=self.retention,
            eventual_consistency=self.eventual_consistency,
        )

    @property
    def calls(self) -> list[Call]:
        """The API calls the fake answered, in order: the most recent
        ``calls_limit`` of them (default 200)."""
        return list(self._service.calls)

    @property
    def calls_limit(self) -> int:
        """How many of the most recent calls ``calls`` keeps."""
        return self._service.calls_limit

    # -- events -------------------------------------------------------------------------

    @property
    def events(self) -> list[dict[str, Any]]:
        """The EventBridge events the tasks' timelines produced, oldest first, as
        EventBridge delivers them (``detail-type`` ``ECS Task State Change``, ``detail``
        the task as DescribeTasks showed it then, times as ISO 8601 text): the most
        recent ``events_limit`` of them (default 1000). Each is also put on moto's
        default event bus of its region while the fake is started."""
        self._service.publish()
        return self._service.feed.events

    @property
    def events_limit(self) -> int:
        """How many of the most recent events ``events`` keeps."""
        return self._service.feed.limit

    def events_of(
        self, task: str | Mapping[str, Any] | None = None, *, detail_type: str | None = None
    ) -> list[dict[str, Any]]:
        """The ``events`` of one task (its id, ARN or record), of one
        ``detail_type``, or both, oldest first."""
        arn: str | None = None
        if task is not None:
            ref = task.get("taskArn") if isinstance(task, Mapping) else task
            if not isinstance(ref, str) or not ref:
                raise TypeError(f"task={task!r}: give a task id, ARN or record")
            arn = ref
        if detail_type is not None:
            arguments.text("detail_type", detail_type)
        found = []
        for event in self.events:
            if detail_type is not None and event["detail-type"] != detail_type:
                continue
            if arn is not None:
                resource = event["resources"][0] if event["resources"] else ""
                if resource != arn and not resource.endswith("/" + arn):
                    continue
            found.append(event)
        return found

    # -- the Python API -------------------------------------------------------------------

    def client(self, region_name: str | None = None) -> ECSClient:
        """A boto3 ECS client answered by the fake."""
        if not self.active:
            raise RuntimeError("start the fake first (with FakeEcs(...) as fake: or fake.start())")
        region = self.region if region_name is None else check("region", region_name, _CLIENT)
        return boto3.client("ecs", region_name=region)

    def _call(
        self, operation: str, params: dict[str, Any], region: str | None = None
    ) -> dict[str, Any]:
        try:
            return self._service.handle(region or self.region, operation, params, record=False)
        except EcsError as error:
            raise client_error(error, operation) from None

    def create_cluster(
        self,
        name: str = "default",
        *,
        tags: TagsInput | None = None,
        container_instances: int = 0,
    ) -> ClusterRecord:
        """Create a cluster (a new incarnation if the name was deleted); returns its record.
        ``tags``: a dict or the boto3 list of ``{"key", "value"}``.
        ``container_instances``: register that many EC2 container instances in it (EC2
        instances in moto's EC2, registered through RegisterContainerInstance), as
        tasks on the EC2 launch type need; the fake must be started."""
        params: dict[str, Any] = {"clusterName": arguments.text("name", name)}
        tag_list = to_tag_list(tags)
        if tag_list:
            params["tags"] = tag_list
        count = arguments.count("container_instances", container_instances, most=100)
        if count and not self.active:
            raise RuntimeError(
                "container_instances= registers them through moto: start the fake first "
                "(with FakeEcs(...) as fake: or fake.start())"
            )
        record = self._call("CreateCluster", params)["cluster"]
        if count:
            moto_ecs.register_container_instances(self.region, name, count)
            record = self._call("DescribeClusters", {"clusters": [name]})["clusters"][0]
        return cast("ClusterRecord", record)

    def delete_cluster(self, name: str) -> ClusterRecord:
        """Delete a cluster as DeleteCluster does (``ClusterContainsTasksException``, and the
        services and container instances moto holds for it, included)."""
        params = {"cluster": arguments.text("name", name)}
        return cast("ClusterRecord", self._call("DeleteCluster", params)["cluster"])

    def fail(
        self, operation: str, code: str, message: str | None = None, *, times: int | None = 1
    ) -> Fault:
        """The next ``times`` calls of ``operation`` answer with that ECS error
        (``times=None``: every call until the test ends)."""
        if not isinstance(operation, str) or operation not in SERVED_OPERATIONS:
            raise ValueError(
                f"the fake does not serve {operation!r}; it can fail: {', '.join(sorted(SERVED_OPERATIONS))}"
            )
        valid = arguments.fault_codes(operation)
        if not isinstance(code, str) or code not in valid:
            raise ValueError(
                f"{operation} never answers {code!r}; it can answer: {', '.join(valid)}"
            )
        if message is not None and not isinstance(message, str):
            raise TypeError(f"message={message!r}: give the error's message as a str, or None")
        arguments.times_or_none(times, "every call")
        return self._service.fail(operation, code, message, times=times)


_SETTER = Source("setting a FakeEcs attribute", surface="FakeEcs")
_CLIENT = Source("FakeEcs.client()", surface="FakeEcs")
