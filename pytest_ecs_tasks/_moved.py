"""Old import paths that the docs once showed, kept working with a warning.

Each such module (``pytest_ecs_tasks.clock``, ``.wire``, ``.lifecycle``) is a few
lines that hand their attribute lookups to ``forward``. Imports nothing heavy.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from importlib import import_module
from typing import Any


def forward(old: str, new: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` for the old module ``old``: each name comes from the
    internal module ``new``, with a ``DeprecationWarning`` that says where to
    import it from now."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        package = import_module("pytest_ecs_tasks")
        internal = import_module(new)
        if not hasattr(internal, name):
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        if name in package.__all__:
            advice = f"import it from pytest_ecs_tasks instead: from pytest_ecs_tasks import {name}"
        else:
            advice = "it is internal now and may change without notice"
        warnings.warn(
            f"{old}.{name}: the module {old} is deprecated; {advice}",
            DeprecationWarning,
            stacklevel=2,
        )
        # A public name is the package's own object: the old path and the new one
        # give the same thing, even if the internal module was loaded again since.
        return getattr(package if name in package.__all__ else internal, name)

    return __getattr__
