"""The AWS APIs of ``ecs-tasks serve``: ECS (what the fake serves, and moto the rest),
and the services that show the fake's timeline (CloudWatch Logs, EventBridge, SQS),
answered by moto in the server's process.

``POST /`` with ``X-Amz-Target: <prefix>.<Operation>`` and a JSON body, as every AWS
SDK sends it (documented in ``pytest_ecs_tasks._server``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .. import _arns as arns
from .. import _model as model
from .._fake import FakeEcs
from .._transport.moto_ecs import MOTO_LOCK

__all__ = ["OTHER_SERVICES", "TARGET_PREFIX", "EcsEndpoint", "ecs_error"]

TARGET_PREFIX = model.TARGET_PREFIX
#: The other services the server answers through moto, by their ``X-Amz-Target`` prefix
#: (botocore's JSON protocol): where the fake's events and log lines can be read by
#: clients in other processes.
OTHER_SERVICES = {"Logs_20140328.": "logs", "AWSEvents.": "events", "AmazonSQS.": "sqs"}
_AMZ_JSON = "application/x-amz-json-1.1"
#: Headers of moto's answers that this server sets itself.
_OWN_HEADERS = frozenset(
    {"server", "date", "content-length", "transfer-encoding", "connection", "status"}
)
#: moto's backends are not built for concurrent requests: one at a time (the lock the
#: fake holds while it mirrors its clusters into moto's ECS, too).
_moto_lock = MOTO_LOCK


class EcsEndpoint:
    """Answers ECS API requests from ``fake``, and from moto what the fake leaves."""

    def __init__(self, fake: FakeEcs, log_exception: Callable[[], None]) -> None:
        self.fake = fake
        self._log_exception = log_exception

    def handle(
        self, operation: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one ECS API request: from the fake, or from moto for what the fake leaves."""
        try:
            model.operation_model(operation)
        except Exception:
            return ecs_error(
                400, "UnknownOperationException", f"ECS has no operation {operation!r}."
            )
        region = self._region(headers)
        answer = self.fake._dispatch(region, operation, body)
        if answer is not None:
            return answer
        return self._moto("ecs", region, operation, headers, body)

    def other_service(
        self, service: str, operation: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer a request to another service (``OTHER_SERVICES``) from moto, after
        the fake has written what its timeline owes by now (events, log lines)."""
        self.fake._service.publish()
        return self._moto(service, self._region(headers), operation, headers, body)

    def _region(self, headers: Mapping[str, str]) -> str:
        """The request's region: its SigV4 scope's (unsigned: the fake's)."""
        match = model.SCOPE_REGION.search(headers.get("Authorization", ""))
        return match["region"] if match and arns.REGION.match(match["region"]) else self.fake.region

    def _moto(
        self, service: str, region: str, operation: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Hand the request to moto's ``service`` in this process, as an in-process
        client would."""
        from botocore.awsrequest import AWSRequest
        from moto.core.botocore_stubber import BotocoreStubber
        from moto.core.models import botocore_stubber

        request = AWSRequest(
            method="POST",
            url=f"https://{service}.{region}.amazonaws.com/",
            headers={k: v for k, v in headers.items() if k.lower() != "host"},
            data=body,
        ).prepare()
        try:
            with _moto_lock:
                # moto's own method, not the wrapper the fake installs on the stubber: the
                # fake has had its say already.
                answer = BotocoreStubber.process_request(botocore_stubber, request)
        except NotImplementedError as exc:
            return ecs_error(501, "NotImplementedException", f"moto: {exc}")
        except Exception as exc:
            self._log_exception()
            return ecs_error(500, "ServerException", f"moto: {type(exc).__name__}: {exc}")
        if answer is None:
            return ecs_error(
                501, "NotImplementedException", f"moto does not answer {service} {operation}."
            )
        status, moto_headers, moto_body = answer
        out = {k: str(v) for k, v in moto_headers.items() if k.lower() not in _OWN_HEADERS}
        data = moto_body.encode("utf-8") if isinstance(moto_body, str) else bytes(moto_body)
        return int(status), out, data


def ecs_error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": _AMZ_JSON}, model.dumps({"__type": code, "message": message})
