"""factory_boy's declarations, resolved without its per-call machinery when they are simple.

factory_boy resolves a factory's declarations through a generic, lazy resolver:
every trait becomes a chain of ``Maybe`` declarations whose deciders look the
trait's flag up, and an unset flag is found by raising (and formatting) an
``AttributeError``. That costs about a millisecond per record for
``TaskFactory``'s thirteen traits.

Two things make it cheap, with factory_boy's behaviour unchanged:

- ``Trait`` declares its flag (``False`` unless given), so an unused trait
  is a plain lookup in factory_boy's own resolver.
- ``FastGenerate`` resolves the declarations itself when every one of them
  is a plain value, a ``factory.Trait`` or a ``factory.LazyFunction``
  and the call passes plain values: the same values in the same order as
  factory_boy's resolver gives them, then factory_boy's own
  ``prepare_arguments``, ``_build``/``_create`` and post-generation hook. Anything
  else (a subclass with a ``LazyAttribute`` or a ``SubFactory``, a declaration
  passed as an override, ``stub()``) goes through factory_boy unchanged.
  ``build_batch`` and ``create_batch`` work out the plan once for the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import factory
import factory.base
from factory import enums
from factory.declarations import SKIP, LazyFunction, Parameter, SimpleParameter
from factory.utils import sort_ordered_objects

__all__ = ["FastGenerate", "Trait"]


class Trait(factory.Trait):  # type: ignore[misc]
    """``factory.Trait``, with its flag declared ``False`` unless given.

    factory_boy looks a trait's flag up with a default; an undeclared flag makes
    that lookup raise and format an ``AttributeError`` each time. Declared, it is
    a plain lookup. Nothing else changes: the flag is a parameter, so it never
    reaches the model.
    """

    def as_declarations(self, field_name: str, declarations: Mapping[str, Any]) -> dict[str, Any]:
        overrides: dict[str, Any] = super().as_declarations(field_name, declarations)
        if field_name in declarations or field_name in overrides:
            return overrides
        return {field_name: False, **overrides}


#: A field's value: ``(False, value)``, or ``(True, function)`` for a ``LazyFunction``.
_Value = tuple[bool, Any]
_NOTHING = object()
#: How a template step gets a value: from the call's overrides, as declared, by
#: calling a ``LazyFunction``, or by calling one whose value is then dropped (a
#: parameter's: its draws still happen, as under factory_boy).
_GIVEN, _CONSTANT, _CALL, _CALL_AND_DROP = range(4)
_Template = tuple[tuple[str, int, Any], ...]


@dataclass
class _Plan:
    """A factory's declarations, in the order factory_boy resolves them."""

    #: (field, its value when no trait sets it, ((flag, flag's default, value), ...)),
    #: a field's traits in the order that decides: the last declared first.
    fields: tuple[tuple[str, _Value, tuple[tuple[str, Any, _Value], ...]], ...]
    #: Every declared name and parameter: an override of another name is added after them.
    names: frozenset[str]
    flags: frozenset[str]
    parameters: frozenset[str]
    #: The model's arguments are the resolved attributes less the parameters (no
    #: ``exclude``, ``rename``, ``inline_args`` or ``_adjust_kwargs`` to apply).
    direct: bool
    #: The factory overrides ``_after_postgeneration`` (factory_boy's own does nothing).
    post_hook: bool
    #: Per (overridden names, trait flags set): the steps that resolve a call.
    templates: dict[tuple[tuple[str, ...], tuple[str, ...]], _Template] = field(
        default_factory=dict
    )


def _value(declaration: Any) -> _Value | None:
    """How the plan gives a declaration's value, or ``None`` if it cannot."""
    if isinstance(declaration, LazyFunction):
        return (True, declaration.function)
    if enums.get_builder_phase(declaration) is None and not isinstance(declaration, Parameter):
        return (False, declaration)
    return None


def _plan(factory_class: Any) -> _Plan | None:
    """The plan of a factory's declarations, or ``None`` if some need factory_boy."""
    meta = factory_class._meta
    if meta.abstract or list(meta.post_declarations) or meta.inline_args:
        return None
    base: dict[str, _Value] = {}
    for name, declaration in meta.base_declarations.items():
        value = _value(declaration)
        if value is None or enums.SPLITTER in name:
            return None
        base[name] = value
    traits: dict[str, list[tuple[str, _Value]]] = {}
    for name, parameter in sort_ordered_objects(
        meta.parameters.items(), getter=lambda item: item[1]
    ):
        if isinstance(parameter, SimpleParameter):
            value = _value(parameter.value)
            if value is None or name in traits:
                return None
            base[name] = value
        elif isinstance(parameter, factory.Trait):
            base.setdefault(name, (False, False))  # the flag, as ``Trait`` declares it
            for field_name, declaration in parameter.overrides.items():
                value = _value(declaration)
                if value is None or field_name in meta.parameters or enums.SPLITTER in field_name:
                    return None
                traits.setdefault(field_name, []).append((name, value))
        else:
            return None
    flags: dict[str, Any] = {}
    for flag in {flag for chain in traits.values() for flag, _ in chain}:
        lazy, default = base.get(flag, (False, False))
        if lazy:
            return None
        flags[flag] = default
    # factory_boy's order: the declarations as the class and its parameters add them.
    order = list(meta.pre_declarations)
    if not set(order) <= set(base) | set(traits):
        return None  # pragma: no cover - a factory_boy this module does not know
    adjusts = getattr(factory_class._adjust_kwargs, "__func__", None)
    post_hook = getattr(factory_class._after_postgeneration, "__func__", None)
    return _Plan(
        fields=tuple(
            (
                name,
                base.get(name, (False, SKIP)),
                tuple((flag, flags[flag], value) for flag, value in reversed(traits.get(name, ()))),
            )
            for name in order
        ),
        names=frozenset(order) | frozenset(meta.parameters),
        flags=frozenset(flags),
        parameters=frozenset(meta.parameters),
        direct=not meta.exclude
        and not meta.rename
        and adjusts is factory.base.BaseFactory._adjust_kwargs.__func__,
        post_hook=post_hook is not factory.base.BaseFactory._after_postgeneration.__func__,
    )


def _template(plan: _Plan, params: Mapping[str, Any]) -> _Template:
    """The steps that resolve ``params`` as factory_boy's resolver does: in its
    order, an override wins, else the last declared trait whose flag is set, else
    the declaration; a trait's field nothing else declares is left out."""
    steps: list[tuple[str, int, Any]] = []
    for name, default, traits in plan.fields:
        if name in params:
            steps.append((name, _GIVEN, None))
            continue
        lazy, value = default
        for flag, flag_default, trait_value in traits:
            if params.get(flag, flag_default):
                lazy, value = trait_value
                break
        if lazy:
            steps.append((name, _CALL, value))
        elif value is not SKIP:
            steps.append((name, _CONSTANT, value))
    steps.extend((name, _GIVEN, None) for name in params if name not in plan.names)
    if plan.direct:  # what factory_boy's prepare_arguments would drop, dropped now
        steps = [
            (name, how, value) if name not in plan.parameters else (name, _CALL_AND_DROP, value)
            for name, how, value in steps
            if name not in plan.parameters or how == _CALL
        ]
    return tuple(steps)


def _template_for(plan: _Plan, params: Mapping[str, Any]) -> _Template:
    """``plan``'s steps for the overrides ``params`` (cached per names and flags set)."""
    flags = plan.flags
    key = (tuple(params), tuple(name for name in params if name in flags and params[name]))
    template = plan.templates.get(key)
    if template is None:
        if len(plan.templates) >= 512:
            plan.templates.clear()
        template = plan.templates[key] = _template(plan, params)
    return template


def _resolve(template: _Template, params: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes factory_boy's resolver gives for ``params``, by ``template``
    (less the parameters, when the plan is direct)."""
    attributes: dict[str, Any] = {}
    for name, how, value in template:
        if how == _GIVEN:
            value = params[name]
            if value is SKIP:
                continue
        elif how == _CALL:
            value = value()
        elif how == _CALL_AND_DROP:
            value()
            continue
        attributes[name] = value
    return attributes


def _plan_of(factory_class: Any) -> _Plan | None:
    """The plan of this very class (not its parent's), made on first use."""
    plan = factory_class.__dict__.get("_fast_plan", _NOTHING)
    if plan is _NOTHING:
        plan = _plan(factory_class)
        type.__setattr__(factory_class, "_fast_plan", plan)
    return plan  # type: ignore[no-any-return]


class FastGenerate:
    """A mixin for a ``factory.Factory``: resolves simple declarations itself
    (see the module's docstring); the result is the same as factory_boy's."""

    @classmethod
    def _generate(cls, strategy: str, params: dict[str, Any]) -> Any:
        instances = cls._generate_fast(strategy, 1, params)
        if instances is None:
            return super()._generate(strategy, params)  # type: ignore[misc]
        return instances[0]

    @classmethod
    def _generate_fast(cls, strategy: str, size: int, params: dict[str, Any]) -> list[Any] | None:
        """``size`` instances, the declarations resolved by their plan (worked out
        once for them all), or ``None`` if factory_boy has to resolve them."""
        factory_class: Any = cls
        plan = _plan_of(factory_class)
        if (
            plan is None
            or strategy not in (enums.BUILD_STRATEGY, enums.CREATE_STRATEGY)
            or not _plain(params)
        ):
            return None
        template = _template_for(plan, params)
        meta = factory_class._meta
        model = meta.get_model_class()
        create = strategy == enums.CREATE_STRATEGY
        build: Callable[..., Any] = factory_class._create if create else factory_class._build
        instances = []
        for _ in range(size):
            meta.next_sequence()
            attributes = _resolve(template, params)
            if plan.direct:
                instance = build(model, **attributes)
            else:
                args, kwargs = meta.prepare_arguments(attributes)
                instance = build(model, *args, **kwargs)
            if plan.post_hook:
                factory_class._after_postgeneration(instance, create=create, results={})
            instances.append(instance)
        return instances

    @classmethod
    def _generate_batch(cls, strategy: str, size: int, params: dict[str, Any]) -> list[Any]:
        """What ``build_batch``/``create_batch`` give: ``size`` calls of ``build``/``create``,
        in one go when neither they nor ``_generate`` were overridden."""
        factory_class: Any = cls
        base = factory.base.BaseFactory
        one = base.create if strategy == enums.CREATE_STRATEGY else base.build
        mine = factory_class.create if strategy == enums.CREATE_STRATEGY else factory_class.build
        if (
            getattr(mine, "__func__", None) is one.__func__
            and getattr(factory_class._generate, "__func__", None)
            is FastGenerate._generate.__func__  # type: ignore[attr-defined]
        ):
            instances = cls._generate_fast(strategy, size, params)
            if instances is not None:
                return instances
        return [mine(**params) for _ in range(size)]


def _plain(params: Mapping[str, Any]) -> bool:
    """Every override is a plain value for a plain name (no ``__`` paths, no declarations)."""
    for name, value in params.items():
        if enums.SPLITTER in name or enums.get_builder_phase(value) is not None:
            return False
    return True
