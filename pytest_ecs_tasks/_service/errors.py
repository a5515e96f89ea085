"""ECS errors as the service sends them: a code, a message and an HTTP status."""

from __future__ import annotations

__all__ = ["DEFAULT_MESSAGES", "EcsError", "http_status"]

#: Realistic default messages for errors raised without one (``FakeEcs.fail``).
DEFAULT_MESSAGES: dict[str, str] = {
    "ThrottlingException": "Rate exceeded",
    "AccessDeniedException": (
        "User: arn:aws:iam::123456789012:user/test is not authorized to perform: "
        "ecs:DescribeTasks on resource: * because no identity-based policy allows "
        "the ecs:DescribeTasks action"
    ),
    "ServerException": "Service Unavailable. Please try again later.",
    "ClientException": "The request could not be processed.",
    "InvalidParameterException": "The request contains an invalid parameter.",
    "ClusterNotFoundException": "Cluster not found.",
    "ClusterContainsTasksException": "The Cluster cannot be deleted while Tasks are active.",
    "ResourceNotFoundException": "The specified resource is not found.",
    "LimitExceededException": "The limit for the resource was exceeded.",
    "ServiceUnavailableException": "Service Unavailable. Please try again later.",
}

#: Codes the service answers with HTTP 500 (the rest are 400).
_SERVER_SIDE = frozenset({"ServerException", "InternalFailure", "ServiceUnavailableException"})


def http_status(code: str) -> int:
    """The HTTP status the service answers ``code`` with."""
    return 500 if code in _SERVER_SIDE else 400


class EcsError(Exception):
    """An error the fake ECS service answers a request with: a ``Call``'s
    ``error``. The client raises it as botocore's ``ClientError`` with this
    ``code`` and ``message``."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        """The error code, like ``"ClusterNotFoundException"``."""
        self.message = message if message is not None else DEFAULT_MESSAGES.get(code, code)
        """The message, the service's own for the code unless one was given."""
        super().__init__(f"{code}: {self.message}")

    @property
    def status(self) -> int:
        """The HTTP status the service answers it with (500 for server-side errors, else 400)."""
        return http_status(self.code)

    def body(self) -> dict[str, str]:
        """The JSON body the service sends for this error."""
        return {"__type": self.code, "message": self.message}
