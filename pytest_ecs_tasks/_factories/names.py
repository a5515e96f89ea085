"""Names a task carries: words (for families, containers, services), user names,
tags and a service's ``startedBy``, drawn from Faker's vocabulary with the seeded
generator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker

from .draws import choice, digits, faker, randgen, randrange

__all__ = ["Vocabulary", "new_tags", "service_started_by", "user_name", "word", "words_of"]


@dataclass(frozen=True)
class Vocabulary:
    """The words and names of one Faker instance (its locale), read once."""

    words: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]

    @classmethod
    def of(cls, fake: Faker) -> Vocabulary:
        first: tuple[str, ...] = ()
        last: tuple[str, ...] = ()
        for provider in fake.providers:
            if hasattr(provider, "first_names") and hasattr(provider, "last_names"):
                first, last = tuple(provider.first_names), tuple(provider.last_names)
                break
        return cls(_word_list(fake), first, last)


def _word_list(fake: Faker) -> tuple[str, ...]:
    """The words ``fake.word()`` draws from: ``get_words_list()`` where Faker has it
    (newer Faker), else its lorem provider's ``word_list`` (Faker 20)."""
    get_words_list = getattr(fake, "get_words_list", None)
    if get_words_list is not None:
        return tuple(get_words_list())
    for provider in fake.providers:
        words = getattr(provider, "word_list", None)
        if words:
            return tuple(words)
    return tuple(fake.words(50))


#: The vocabulary of the Faker instance last asked, with that instance.
_vocabulary: tuple[object, Vocabulary | None] = (None, None)


def words_of(fake: Faker) -> Vocabulary:
    """``fake``'s vocabulary (read again only for another Faker instance)."""
    global _vocabulary
    owner, vocabulary = _vocabulary
    if owner is not fake or vocabulary is None:  # another locale, say
        vocabulary = Vocabulary.of(fake)
        _vocabulary = (fake, vocabulary)
    return vocabulary


def word() -> str:
    """A word from Faker's word list, like ``Faker().word()``: drawn from the seeded
    generator, without Faker's provider lookups on every call."""
    return choice(words_of(faker()).words)


def user_name() -> str:
    """A user name from Faker's names, like ``Faker().user_name()`` (``jsmith``)."""
    fake = faker()
    vocabulary = words_of(fake)
    if vocabulary.first_names and vocabulary.last_names:
        name = f"{choice(vocabulary.first_names)[0]}{choice(vocabulary.last_names)}"
        name = "".join(c for c in name.lower() if c.isalnum())
        if name:
            return name
    return fake.user_name()


_TAG_KEYS = ("team", "env", "service", "cost-center", "owner", "project")


def new_tags(count: int | None = None) -> list[dict[str, str]]:
    """``count`` tags (default: one to three) with distinct keys, as a record holds them."""
    count = count if count is not None else randrange(1, 4)
    chosen = randgen().sample(_TAG_KEYS, count)
    values: dict[str, Callable[[], str]] = {
        "team": word,
        "env": lambda: choice(("dev", "staging", "prod")),
        "service": word,
        "cost-center": lambda: digits(4),
        "owner": user_name,
        "project": word,
    }
    return [{"key": k, "value": values[k]()} for k in chosen]


def service_started_by() -> str:
    """A service's ``startedBy``: ``ecs-svc/`` and 19 digits."""
    return f"ecs-svc/{digits(19)}"
