"""botocore's ECS model: validation of records, and wire <-> boto3 shapes.

Everything here is botocore's own machinery (its loader, ``ParamValidator`` and
JSON parser); this module only puts it within easy reach.

Floor 1: imports nothing from the rest of the package.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Mapping
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, Literal

from botocore.loaders import create_loader
from botocore.model import OperationModel, ServiceModel, Shape, StringShape, StructureShape
from botocore.parsers import create_parser
from botocore.validate import ParamValidator

#: The ``X-Amz-Target`` of an ECS request: this prefix, then the operation's name.
TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
#: The region in the credential scope of an ECS request's SigV4 ``Authorization``:
#: ``AWS4-HMAC-SHA256 Credential=AKID/20240101/us-west-2/ecs/aws4_request, ...``.
SCOPE_REGION = re.compile(r"Credential=[^/,\s]+/\d{8}/(?P<region>[^/,\s]+)/ecs/aws4_request")

__all__ = [
    "RecordError",
    "dumps",
    "enum_values",
    "from_wire",
    "operation_model",
    "service_model",
    "to_wire",
    "validate_input",
    "validate_output",
]

SERVICE = "ecs"
_lock = threading.Lock()


class RecordError(ValueError):
    """A record does not fit botocore's model of the ECS API."""


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """botocore's model of the ECS API (loaded once per process).

    Read with botocore's own loader, not through a session: a session reads the
    user's AWS configuration (``AWS_PROFILE``, ``~/.aws/config``), and a missing
    profile or a malformed file must never stop the records from being built.
    ``AWS_DATA_PATH`` is honoured, as a session would.
    """
    with _lock:
        loader = create_loader(os.environ.get("AWS_DATA_PATH"))
        return ServiceModel(loader.load_service_model(SERVICE, "service-2"), service_name=SERVICE)


@cache
def operation_model(operation: str) -> OperationModel:
    """The model of one ECS operation, by its API name (``"DescribeTasks"``)."""
    return service_model().operation_model(operation)


@cache
def shape(name: str) -> Shape:
    """A named shape of the ECS model (``"Task"``, ``"Container"``, ...)."""
    return service_model().shape_for(name)


@cache
def members(shape_name: str) -> frozenset[str]:
    """The member names of a structure shape (``"Task"`` -> ``{"taskArn", ...}``)."""
    the_shape = shape(shape_name)
    assert isinstance(the_shape, StructureShape)
    return frozenset(the_shape.members)


@cache
def enum_values(shape_name: str) -> tuple[str, ...]:
    """The values botocore's model lists for an enum shape (``"LaunchType"``)."""
    the_shape = shape(shape_name)
    assert isinstance(the_shape, StringShape)
    return tuple(the_shape.enum)


def _report(params: Mapping[str, Any], the_shape: Shape | None) -> str | None:
    if the_shape is None:
        return None
    report = ParamValidator().validate(params, the_shape)
    if report.has_errors():
        return str(report.generate_report())
    return None


def validate_output(operation: str, response: Mapping[str, Any]) -> None:
    """Raise ``RecordError`` unless ``response`` fits ``operation``'s output shape."""
    problems = _report(response, operation_model(operation).output_shape)
    if problems:
        raise RecordError(f"not a valid {operation} response:\n{problems}")


def validate_shape(shape_name: str, record: Mapping[str, Any]) -> None:
    """Raise ``RecordError`` unless ``record`` fits the named shape (``"Task"``)."""
    problems = _report(record, shape(shape_name))
    if problems:
        raise RecordError(f"not a valid {shape_name} record:\n{problems}")


def validate_input(operation: str, params: Mapping[str, Any]) -> str | None:
    """botocore's complaint about ``params`` as ``operation``'s input, or ``None``."""
    return _report(params, operation_model(operation).input_shape)


TimestampFormat = Literal["epoch", "iso"]


def to_wire(record: Any, *, timestamps: TimestampFormat = "epoch") -> Any:
    """A boto3-shaped record (``datetime`` timestamps) in the shape the service
    sends: timestamps as epoch seconds (``"epoch"``), or as ISO 8601 text the way
    the AWS CLI prints them (``"iso"``). The input is not changed."""
    if isinstance(record, datetime):
        return record.timestamp() if timestamps == "epoch" else record.isoformat()
    if isinstance(record, Mapping):
        return {k: to_wire(v, timestamps=timestamps) for k, v in record.items()}
    if isinstance(record, (list, tuple)):
        return [to_wire(v, timestamps=timestamps) for v in record]
    return record


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"{type(value).__name__} is not part of an ECS response")


def dumps(record: Any) -> bytes:
    """``record`` as the JSON bytes the service sends (timestamps in epoch seconds)."""
    return json.dumps(record, default=_default, separators=(",", ":")).encode()


def from_wire(operation: str, body: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Parse a response as the service sends it (JSON text, bytes or already
    decoded), or as the AWS CLI prints it, into boto3's shape, with botocore's
    own parser: timestamps become aware ``datetime``s."""
    if isinstance(body, Mapping):
        body = json.dumps(body, default=_default)
    if isinstance(body, str):
        body = body.encode()
    parser = create_parser("json")
    output_shape = operation_model(operation).output_shape
    assert output_shape is not None
    parsed: dict[str, Any] = parser.parse(
        {"body": body, "headers": {}, "status_code": 200}, output_shape
    )
    parsed.pop("ResponseMetadata", None)
    return parsed
