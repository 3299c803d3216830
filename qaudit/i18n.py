"""The one catalogue of words: every label, prompt, unit and message a person reads, in every language.

The words live in gettext catalogues, one per language:
``qaudit/locales/<lang>/LC_MESSAGES/qaudit.po``, read with Babel once per
process. A message id is a short key in lowercase (``score``,
``run_save_prompt``), never the English text: the English catalogue holds the
English words like any other language. Texts take ``{name}`` placeholders,
filled by :func:`gettext`.

A renderer whose wording of a key differs from the shared one (a short column
header where a page has a whole phrase) gives its own entry with a ``msgctxt``
naming the renderer (``export``, ``scorecard``); :func:`words` with that
context lays those entries over the shared ones. A word a language does not
translate falls back to English. ``docs/languages.md`` says how to add a
language or a word.
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

LANGUAGES = ("en", "hy", "ka", "lv", "hu")
"""The languages qaudit ships its own words in (English first: the fallback)."""
DOMAIN = "qaudit"
LOCALES = os.path.join(os.path.dirname(__file__), "locales")

Entries = dict[tuple[str, str | None], str]
"""A catalogue's translated texts by (key, context)."""


def catalogue_path(lang: str) -> str:
    """Where the catalogue of ``lang`` lives."""
    return os.path.join(LOCALES, lang, "LC_MESSAGES", f"{DOMAIN}.po")


@cache
def entries(lang: str) -> Entries:
    """The translated texts of one language's catalogue (empty for a language qaudit does not ship)."""
    from babel.messages.pofile import read_po

    if lang not in LANGUAGES:
        return {}
    with open(catalogue_path(lang), "rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    found: Entries = {}
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or not isinstance(message.string, str):
            continue  # the header entry, and plural entries (the catalogue has none)
        if message.string and not message.fuzzy:
            found[(message.id, message.context)] = message.string
    return found


@cache
def _words(lang: str, context: str | None) -> Mapping[str, str]:
    layers: list[Entries] = [entries("en")]
    if lang != "en":
        layers.append(entries(lang))
    table: dict[str, str] = {}
    for layer in layers:
        table.update({key: text for (key, ctx), text in layer.items() if ctx is None})
        if context is not None:
            table.update({key: text for (key, ctx), text in layer.items() if ctx == context})
    return MappingProxyType(table)


def words(lang: str | None, context: str | None = None) -> Mapping[str, str]:
    """Every word in ``lang`` by key, English where a word is not translated.

    ``context`` (``export``, ``scorecard``) lays a renderer's own wordings over
    the shared ones. The mapping is built once per language and context.
    """
    return _words(lang or "en", context)


def gettext(lang: str | None, key: str, /, **fields: object) -> str:
    """The text of ``key`` in ``lang`` with its ``{name}`` placeholders filled from ``fields``.

    A key the catalogue does not hold is returned as it is, so that a missing
    word shows up as its key rather than as an error in front of the user.
    """
    return pgettext(lang, None, key, **fields)


def pgettext(lang: str | None, context: str | None, key: str, /, **fields: object) -> str:
    """:func:`gettext` with a renderer's own wordings (``context``) laid over the shared ones."""
    text = words(lang, context).get(key, key)
    return text.format_map(fields) if fields else text


_ = gettext


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders a text takes."""
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name}


def language_of(lang: str | None) -> str:
    """``lang`` when qaudit ships words for it, else English."""
    return lang if lang in LANGUAGES else "en"


__all__ = ["LANGUAGES", "catalogue_path", "entries", "gettext", "language_of", "pgettext", "placeholders", "words"]
