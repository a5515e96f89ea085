"""Convert ECS responses between boto3's shape and the shape the service sends.

>>> from pytest_ecs_tasks._wire import from_wire, to_wire
>>> response = from_wire(open("describe-tasks.json").read())  # doctest: +SKIP

``from_wire`` accepts what the service sends (timestamps in epoch seconds) and
what ``aws ecs describe-tasks`` prints (timestamps as ISO 8601 text); it parses
with botocore's own parser, so the records are exactly what boto3 would return.
``to_wire`` goes back: epoch seconds by default, or ``timestamps="iso"`` for
the AWS CLI's format (each datetime keeps its own UTC offset).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import _model as model

__all__ = ["from_wire", "to_wire"]


def from_wire(
    body: Mapping[str, Any] | str | bytes, operation: str = "DescribeTasks"
) -> dict[str, Any]:
    """A response body of ``operation`` (default DescribeTasks) in boto3's shape,
    as ``client.describe_tasks()`` would return it: aware ``datetime``s, parsed
    with botocore's own parser. ``body`` is what the service sends (JSON text or
    bytes, timestamps in epoch seconds), what ``aws ecs describe-tasks`` prints
    (ISO 8601 timestamps), or either already decoded. A captured response becomes
    records for ``add_task`` or the ``Stubber``. ``ValueError`` for an operation
    ECS does not have."""
    try:
        model.operation_model(operation)
    except Exception:
        raise ValueError(f"{operation!r} is not an ECS operation") from None
    return model.from_wire(operation, body)


def to_wire(response: Mapping[str, Any], *, timestamps: model.TimestampFormat = "epoch") -> Any:
    """``response`` (boto3's shape, like a factory's record) as the service sends
    it: JSON-ready values, timestamps in epoch seconds, or with
    ``timestamps="iso"`` as ISO 8601 text, as the AWS CLI prints them (each
    ``datetime`` keeps its own UTC offset)."""
    if timestamps not in ("epoch", "iso"):
        raise ValueError(f"timestamps must be 'epoch' or 'iso', got {timestamps!r}")
    return model.to_wire(response, timestamps=timestamps)
