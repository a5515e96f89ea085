"""The DescribeTasks response factory: a whole ``describe_tasks()`` response."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import factory

from .. import _model as model
from . import _checks
from .base import DictFactory
from .task import TaskFactory

__all__ = ["DescribeTasksResponseFactory"]


class DescribeTasksResponseFactory(DictFactory[dict[str, Any]]):
    """A whole ``describe_tasks()`` response: ``{"tasks": [...], "failures": [...]}``
    (default: one ``TaskFactory()`` task, no failures). ``tasks=`` and ``failures=``
    take records, as the other factories build them."""

    tasks = factory.LazyFunction(lambda: [TaskFactory()])
    failures = factory.LazyFunction(list)

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> dict[str, Any]:
        unknown = sorted(set(kwargs) - {"tasks", "failures"})
        if unknown:
            raise ValueError(f"unknown DescribeTasks member {', '.join(map(repr, unknown))}")
        for member, factory_name in (("tasks", "TaskFactory"), ("failures", "FailureFactory")):
            records = kwargs[member]
            if not isinstance(records, (list, tuple)) or not all(
                isinstance(r, Mapping) for r in records
            ):
                raise _checks.ArgumentTypeError(
                    f"{member}={records!r}: give a list of records (dicts), like [{factory_name}()]"
                )
        response = {"tasks": list(kwargs["tasks"]), "failures": list(kwargs["failures"])}
        model.validate_output("DescribeTasks", response)
        return response
