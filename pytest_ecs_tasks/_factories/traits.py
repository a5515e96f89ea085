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
    conflict = _conflict(traits)
    if conflict:
        raise ValueError(conflict)
    return traits


def _conflict(traits: list[str]) -> str | None:
    """Why ``traits`` cannot be given together, if they set one field differently
    (``running`` and ``stopped``: which ``lastStatus``?); ``None`` if they can."""
    from .task import TaskFactory

    setters: dict[str, tuple[str, object]] = {}  # field: (first trait to set it, its value)
    for trait in dict.fromkeys(traits):
        for name, value in TaskFactory._meta.parameters[trait].overrides.items():
            first = setters.setdefault(name, (trait, value))
            if first[0] != trait and first[1] != value:
                shown = [
                    f"{t} sets {name}={v!r}" if isinstance(v, (str, bool)) else f"{t} sets {name}"
                    for t, v in (first, (trait, value))
                ]
                return (
                    f"traits {first[0]!r} and {trait!r} cannot be given together: "
                    f"{' and '.join(shown)}; give one of them"
                )
    return None
