"""The fake ECS task service: requests in, responses or ECS errors out.

Every operation takes the request as the service receives it (decoded JSON) and
answers in boto3's shape (``datetime`` timestamps) or raises :class:`EcsError`.
:meth:`EcsService.dispatch` puts the same behind raw bytes for a transport.
The operations themselves live beside this module: ``tasks.py`` (DescribeTasks,
RunTask, StopTask, ListTasks), ``clusters.py`` (clusters and tags), ``paging.py``;
the settings, state and lookups they share in ``core.py``.
Nothing here imports pytest or moto.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from .. import _model as model
from .clusters import ClusterOperations
from .core import Call, ClusterMirror, RecordMaker, TaskDefinitionLookup
from .errors import EcsError
from .faults import Fault
from .tasks import TaskOperations, TaskPlan

__all__ = [
    "SERVED_OPERATIONS",
    "Call",
    "ClusterMirror",
    "EcsService",
    "RecordMaker",
    "TaskDefinitionLookup",
    "TaskPlan",
]

#: The operations the fake answers itself; the rest fall through to moto.
SERVED_OPERATIONS = frozenset(
    {
        "DescribeTasks",
        "RunTask",
        "StopTask",
        "ListTasks",
        "CreateCluster",
        "DeleteCluster",
        "DescribeClusters",
        "ListClusters",
        "TagResource",
        "UntagResource",
        "ListTagsForResource",
    }
)
_TAG_OPERATIONS = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})
_JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.1"}


class EcsService(TaskOperations, ClusterOperations):
    """The fake ECS task service of one account, across regions."""

    # -- the transport's entry -----------------------------------------------------

    def dispatch(
        self, region: str, operation: str, body: bytes
    ) -> tuple[int, dict[str, str], bytes] | None:
        """Answer a request as it came over the wire: ``(status, headers, body)``,
        or ``None`` for a request the fake leaves to moto."""
        if operation not in SERVED_OPERATIONS:
            self._before_other_ecs(region)
            return None
        try:
            params = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):
            return self._error_reply(
                EcsError("SerializationException", "Request body is not valid JSON.")
            )
        if not isinstance(params, dict):
            return self._error_reply(
                EcsError("SerializationException", "Request body must be a JSON object.")
            )
        if operation in _TAG_OPERATIONS and not self._owns_resource(params.get("resourceArn")):
            self._before_other_ecs(region)
            return None
        try:
            response = self.handle(region, operation, params)
        except EcsError as error:
            return self._error_reply(error)
        except Exception as exc:  # a bug in the fake: answer as the service would, say what broke
            return self._error_reply(
                EcsError(
                    "ServerException",
                    f"pytest-ecs-tasks internal error: {type(exc).__name__}: {exc}",
                )
            )
        headers = {**_JSON_HEADERS, "x-amzn-RequestId": str(uuid.uuid4())}
        return 200, headers, model.dumps(response)

    @staticmethod
    def _error_reply(error: EcsError) -> tuple[int, dict[str, str], bytes]:
        headers = {**_JSON_HEADERS, "x-amzn-RequestId": str(uuid.uuid4())}
        return error.status, headers, model.dumps(error.body())

    @staticmethod
    def _owns_resource(resource: object) -> bool:
        if not isinstance(resource, str):
            return True  # let validation answer
        return resource.startswith("arn:") and (":cluster/" in resource or ":task/" in resource)

    def handle(
        self, region: str, operation: str, params: dict[str, Any], *, record: bool = True
    ) -> dict[str, Any]:
        """Answer one request (decoded JSON) in boto3's shape, or raise :class:`EcsError`."""
        handler = getattr(self, "_op_" + _snake(operation), None)
        if handler is None or operation not in SERVED_OPERATIONS:
            raise EcsError(
                "UnknownOperationException", f"The fake ECS service does not serve {operation}."
            )
        with self._lock:
            now = self.clock.now()
            self._purge(now)  # every call first forgets the tasks past retention
            call = Call(operation, region, params, now)
            try:
                fault = self.faults.take(operation) if record else None
                if fault is not None:
                    raise fault
                self._validate(operation, params)
                response: dict[str, Any] = handler(self._region(region), params)
            except EcsError as error:
                call.error = error
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

    def _validate(self, operation: str, params: dict[str, Any]) -> None:
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

    def create_cluster(
        self, region: str, name: str, tags: Sequence[Mapping[str, str]]
    ) -> dict[str, Any]:
        with self._lock:
            params: dict[str, Any] = {"clusterName": name}
            if tags:
                params["tags"] = [dict(t) for t in tags]
            return self.handle(region, "CreateCluster", params, record=False)["cluster"]  # type: ignore[no-any-return]


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
