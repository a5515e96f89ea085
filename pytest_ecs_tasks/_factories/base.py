"""What every factory of the package shares: it builds plain dicts, checks a
batch's size, and shows a type checker the record type it builds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

import factory
from factory import enums

from . import _checks
from ._declarations import FastGenerate

__all__ = ["DictFactory"]

#: The type of record a factory builds, as a type checker sees it (a dict at run time).
_Record = TypeVar("_Record")


class DictFactory(FastGenerate, factory.Factory, Generic[_Record]):  # type: ignore[misc]
    """A factory of plain dicts: ``create`` builds, as nothing is saved anywhere.

    Subclass it as ``DictFactory[TaskRecord]``: calling the factory, ``build``,
    ``create`` and the batches are then typed as giving that record. A subclass
    needs no ``Meta``: it inherits ``model = dict`` (and is not abstract).
    """

    if TYPE_CHECKING:  # what a type checker sees: factory_boy itself is untyped

        def __new__(cls, *args: Any, **kwargs: Any) -> _Record: ...  # type: ignore[misc]
        @classmethod
        def build(cls, **kwargs: Any) -> _Record:
            """One record; keyword arguments override fields or turn traits on
            (``TaskFactory.build(stopped=True)``). The same as calling the factory."""
            ...

        @classmethod
        def create(cls, **kwargs: Any) -> _Record:
            """The same as ``build``: the records are plain dicts, saved nowhere."""
            ...

    class Meta:
        model = dict
        abstract = True

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return cls._build(model_class, *args, **kwargs)  # type: ignore[no-any-return]

    @classmethod
    def build_batch(cls, size: int, **kwargs: Any) -> list[_Record]:
        """``size`` records (0 or more), each with the same keyword arguments."""
        return cls._generate_batch(enums.BUILD_STRATEGY, _checks.batch_size(size), kwargs)

    @classmethod
    def create_batch(cls, size: int, **kwargs: Any) -> list[_Record]:
        """The same as ``build_batch``."""
        return cls._generate_batch(enums.CREATE_STRATEGY, _checks.batch_size(size), kwargs)
