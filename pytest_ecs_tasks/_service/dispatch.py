"""The fake ECS task service: requests in, responses or ECS errors out.

``OPERATIONS`` is the one list of what the fake serves, and who answers
each; every other ECS operation falls through to moto. Every operation takes the
request as the service receives it (decoded JSON) and answers in boto3's shape
(``datetime`` timestamps) or raises ``EcsError``. ``EcsService.dispatch``
puts the same behind raw bytes for a transport.
The operations live beside this module, one module per resource: ``tasks.py``
(DescribeTasks, StopTask, ListTasks), ``run_task.py`` (RunTask), ``services.py``
(the services, kept by ``scheduler.py``), ``clusters.py``, ``tags.py``; with ``paging.py``, and the settings, state and lookups they share
in ``core.py``.
Nothing here imports pytest or moto.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from .. import _model as model
from .clusters import ClusterOperations
from .core import Call, ClusterMirror, TaskDefinitionLookup, TaskParts
from .errors import EcsError
from .faults import Fault
from .run_task import RunTaskOperations, TaskPlan
from .services import ServiceOperations
from .state import RegionState
from .tags import TagOperations, owns_resource
from .tasks import TaskOperations

__all__ = [
    "OPERATIONS",
    "SERVED_OPERATIONS",
    "Call",
    "ClusterMirror",
    "EcsService",
    "TaskDefinitionLookup",
    "TaskParts",
    "TaskPlan",
    "internal_error",
]

_JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.1"}


class EcsService(TaskOperations, ServiceOperations, ClusterOperations, TagOperations):
    """The fake ECS task service of one account, across regions."""

    # -- the transport's entry -----------------------------------------------------

    def dispatch(
        self, region: str, operation: str, body: bytes
    ) -> tuple[int, dict[str, str], bytes] | None:
        """Answer a request as it came over the wire: ``(status, headers, body)``,
        or ``None`` for a request the fake leaves to moto.

        A bug in the fake answers as the service would (a 500 ``ServerException``
        that says what broke): a client sees a service error, never a broken reply.
        The Python API calls ``handle`` instead, so there the bug is raised
        as it is, with its traceback."""
        if operation not in OPERATIONS:
            self._before_other_ecs(region)
            return None
        try:
            params = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):
            return _error_reply(
                EcsError("SerializationException", "Request body is not valid JSON.")
            )
        if not isinstance(params, dict):
            return _error_reply(
                EcsError("SerializationException", "Request body must be a JSON object.")
            )
        if operation in _TAG_OPERATIONS and not owns_resource(params.get("resourceArn")):
            self._before_other_ecs(region)
            return None
        try:
            response = self.handle(region, operation, params)
        except EcsError as error:
            return _error_reply(error)
        except Exception as exc:  # a bug in the fake: answer as the service would, say what broke
            return _error_reply(internal_error(exc))
        headers = {**_JSON_HEADERS, "x-amzn-RequestId": str(uuid.uuid4())}
        return 200, headers, model.dumps(response)

    def handle(
        self, region: str, operation: str, params: dict[str, Any], *, record: bool = True
    ) -> dict[str, Any]:
        """Answer one request (decoded JSON) in boto3's shape, or raise ``EcsError``."""
        answer = OPERATIONS.get(operation)
        if answer is None:
            raise EcsError(
                "UnknownOperationException", f"The fake ECS service does not serve {operation}."
            )
        with self._lock:
            self.publish()  # what happened by now comes first (events, log lines)
            now = self.clock.now()
            self._purge(now)  # every call first forgets the tasks past retention
            call = Call(operation, region, params, now)
            try:
                fault = self.faults.take(operation) if record else None
                if fault is not None:
                    raise fault
                _validate(operation, params)
                response = answer(self, self._region_state(region), params)
            except EcsError as error:
                call.error = error
                if record:
                    self._record_call(call)
                raise
            except Exception as exc:  # a bug in the fake: the call shows what the client got
                call.error = internal_error(exc)
                if record:
                    self._record_call(call)
                raise
            call.response = response
            if record:
                self._record_call(call)
            return response

    def fail(
        self, operation: str, code: str, message: str | None = None, *, times: int | None = 1
    ) -> Fault:
        fault = Fault(operation, code, message, times)
        self.faults.add(fault)
        return fault


#: How one operation is answered: (the service, the request's region, the request) -> response.
Answer = Callable[[EcsService, RegionState, dict[str, Any]], dict[str, Any]]

#: The operations the fake answers itself, and who answers each: the only list of
#: what is served. Every other ECS operation falls through to moto.
OPERATIONS: Mapping[str, Answer] = {
    "DescribeTasks": TaskOperations.describe_tasks,
    "RunTask": RunTaskOperations.run_task,
    "StopTask": TaskOperations.stop_task,
    "ListTasks": TaskOperations.list_tasks,
    "CreateCluster": ClusterOperations.create_cluster,
    "DeleteCluster": ClusterOperations.delete_cluster,
    "DescribeClusters": ClusterOperations.describe_clusters,
    "ListClusters": ClusterOperations.list_clusters,
    "TagResource": TagOperations.tag_resource,
    "UntagResource": TagOperations.untag_resource,
    "ListTagsForResource": TagOperations.list_tags_for_resource,
    "CreateService": ServiceOperations.create_service,
    "UpdateService": ServiceOperations.update_service,
    "DescribeServices": ServiceOperations.describe_services,
    "ListServices": ServiceOperations.list_services,
    "DeleteService": ServiceOperations.delete_service,
}
SERVED_OPERATIONS = frozenset(OPERATIONS)
#: The tag operations: served only for the fake's own clusters and tasks.
_TAG_OPERATIONS = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})


def internal_error(exc: Exception) -> EcsError:
    """What a client is answered when the fake itself breaks: the service's 500,
    saying what broke (a bug to report, with the test that shows it)."""
    return EcsError(
        "ServerException", f"pytest-ecs-tasks internal error: {type(exc).__name__}: {exc}"
    )


def _error_reply(error: EcsError) -> tuple[int, dict[str, str], bytes]:
    headers = {**_JSON_HEADERS, "x-amzn-RequestId": str(uuid.uuid4())}
    return error.status, headers, model.dumps(error.body())


def _validate(operation: str, params: dict[str, Any]) -> None:
    """The service's answer to a request botocore's model rejects: a missing
    required member is an ``InvalidParameterException``, a wrong type a
    ``SerializationException``; unknown members are ignored, as the service does."""
    problem = model.validate_input(operation, params)
    if problem is None:
        return
    lines = [
        line
        for line in problem.splitlines()
        if not line.startswith(("Unknown parameter", "Parameter validation failed"))
    ]
    if not lines:
        return
    first = lines[0]
    if first.startswith("Missing required parameter"):
        raise EcsError("InvalidParameterException", first)
    raise EcsError("SerializationException", first)
