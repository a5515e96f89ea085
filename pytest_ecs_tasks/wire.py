"""Deprecated: import from_wire, to_wire from ``pytest_ecs_tasks`` instead.

This module is kept so that imports the docs once showed keep working; each
name it gives comes with a ``DeprecationWarning``.
"""

from __future__ import annotations

from ._moved import forward

__getattr__ = forward("pytest_ecs_tasks.wire", "pytest_ecs_tasks._wire")
