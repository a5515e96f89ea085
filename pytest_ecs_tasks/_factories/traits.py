"""``TaskFactory``'s trait names, and checking a list of them where it is given.

Imports factory_boy (and the factories) only when called.
"""

from __future__ import annotations

import reprlib

__all__ = ["check_traits", "task_traits"]

_repr = reprlib.Repr()
_repr.maxstring = 80
_repr.maxother = 80


def task_traits() -> tuple[str, ...]:
    """The names of ``TaskFactory``'s traits, in the order it declares them."""
    import factory

    from .task import TaskFactory

    return tuple(
        name
        for name, declaration in TaskFactory._meta.parameters.items()
        if isinstance(declaration, factory.Trait)
    )


def check_traits(traits: object) -> list[str]:
    """``traits`` as a list of trait names; ``ValueError`` names the valid ones."""
    if not isinstance(traits, list) or not all(isinstance(t, str) for t in traits):
        raise ValueError(f"traits must be a list of trait names, got {_repr.repr(traits)}")
    valid = task_traits()
    unknown = [t for t in traits if t not in valid]
    if unknown:
        raise ValueError(
            f"unknown trait{'s' if len(unknown) > 1 else ''} {', '.join(map(_repr.repr, unknown))}; "
            f"valid traits: {', '.join(valid)}"
        )
    return traits
