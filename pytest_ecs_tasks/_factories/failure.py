"""The Failure factory: one element of ``describe_tasks()["failures"]``."""

from __future__ import annotations

from typing import Any

import factory

from .. import _arns as arns
from .. import _model as model
from .._record_types import FailureRecord
from .._settings import Settings
from . import _checks
from .base import DictFactory
from .ids import new_task_id

__all__ = ["FailureFactory"]


class FailureFactory(DictFactory[FailureRecord]):
    """One element of ``describe_tasks()["failures"]``: a ``MISSING`` task, no
    ``detail``, as the service reports an unknown task. ``cluster``, ``region``
    and ``account_id`` place its ``arn``; ``arn=``, ``reason=`` and ``detail=``
    override."""

    class Params:
        cluster = "default"
        region = Settings.region
        account_id = Settings.account_id

    arn = factory.LazyAttribute(
        lambda o: arns.task_arn(*_checks.place(o.region, o.account_id, o.cluster), new_task_id())
    )
    reason = "MISSING"

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> dict[str, Any]:
        failure = {k: v for k, v in kwargs.items() if v is not None}
        unknown = sorted(set(failure) - model.members("Failure"))
        if unknown:
            raise ValueError(
                f"unknown Failure member {', '.join(map(repr, unknown))}; use arn, reason, detail"
            )
        _checks.validate_members("Failure", failure)
        return failure
