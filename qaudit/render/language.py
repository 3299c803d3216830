"""The language of a page: which language each page is written in, the scorecard's words in it, and its
numbers and dates (formatted with Babel for the language's locale)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from ..analytics.history import SiteHistory
from ..i18n import words as catalogue_words
from ..load.standards import StandardLibrary
from ..scoring.scorer import AuditResult
from .numbers import half_up

LANGUAGES = ("en", "hy", "ka", "lv", "hu")
_LOCALES = {"en": "en_GB", "hy": "hy_AM", "ka": "ka_GE", "lv": "lv_LV", "hu": "hu_HU"}


def labels(lang: str) -> dict[str, str]:
    """The scorecard's own words in ``lang`` (English for a language qaudit does not ship), from the catalogue."""
    return dict(catalogue_words(lang, "scorecard"))


class Formatter:
    """Numbers and dates for one language, with the symbols and patterns Babel gives for its locale.

    Babel is asked once per language (and once per date); formatting a number
    then costs a string operation, not a Babel call, which matters when a report
    holds thousands of pages.
    """

    def __init__(self, lang: str) -> None:
        from babel import Locale

        self.lang = lang
        self.locale = Locale.parse(_LOCALES.get(lang, lang if "_" in lang else "en_GB"))
        symbols = self.locale.number_symbols.get("latn", self.locale.number_symbols)
        self.decimal = symbols.get("decimal", ".")
        self.group = symbols.get("group", ",")
        self._dates: dict[dt.date, str] = {}
        self._percents: dict[tuple[float, bool], str] = {}

    def number(self, value: float | None, digits: int = 2) -> str:
        """``87.5`` as ``87,50`` in Hungarian (half away from zero, docs/numbers.md); a dash for None."""
        if value is None:
            return "–"
        text = f"{half_up(value, digits):,.{digits}f}"
        return text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.group)

    def signed(self, value: float | None) -> str:
        """A change with its sign: ``+2,50`` / ``−1,00``."""
        if value is None:
            return "–"
        rounded = half_up(value, 2)
        text = self.number(abs(float(rounded)))
        return ("+" if rounded > 0 else "−" if rounded < 0 else "±") + text

    def percent(self, value: float, *, exact: bool = False) -> str:
        """A share as a percentage to at most 1 decimal (half away from zero, docs/numbers.md).

        With ``exact``, a share short of 1 never shows as 100 %.
        """
        key = (value, exact)
        found = self._percents.get(key)
        if found is None:
            from babel.numbers import format_percent

            share = half_up(value * 100, 1)
            if exact and value < 1 and share >= 100:
                share = Decimal("99.9")
            # Already rounded: Babel only places the digits, the separator and the sign for the language.
            found = format_percent(share / 100, format="#,##0.#%", locale=self.locale)
            if len(self._percents) < 10_000:  # item scores repeat a few values on every page
                self._percents[key] = found
        return found

    def date(self, value: dt.date) -> str:
        """A date in the language's medium format."""
        found = self._dates.get(value)
        if found is None:
            from babel.dates import format_date

            found = self._dates[value] = format_date(value, format="medium", locale=self.locale)
        return found


@lru_cache(maxsize=16)
def formatter(lang: str) -> Formatter:
    """The (shared) formatter of a language."""
    return Formatter(lang)


def standard_title(library: StandardLibrary, standard_id: str, version: int | None, lang: str) -> str:
    """A standard's title in ``lang`` (its id when the library does not have it)."""
    standard = library.get(standard_id, version) or library.get(standard_id)
    return standard.text(standard.title, lang) if standard is not None else standard_id


def site_language(history: SiteHistory, library: StandardLibrary, override: str | None) -> str:
    """The scorecard language: ``--lang``, else the audit's, else the registry's, else the standard's first.

    A language qaudit has no labels for is passed over for the next one in that
    order (a page in English words with French dates and ``lang="fr"`` helps
    nobody); English when none fits.
    """
    latest = history.latest
    standard = library.get(latest.standard, latest.standard_version)
    candidates = [override, latest.language, history.language]
    if standard is not None:
        candidates += [*(standard.languages or [])]
    return next((c for c in candidates if c in LANGUAGES), "en")


def audit_language(
    result: AuditResult, registry_language: str | None, library: StandardLibrary, override: str | None
) -> str:
    """An audit page's language: ``--lang``, else the audit's, else the site's in the registry, else the standard's."""
    standard = library.get(result.standard, result.standard_version)
    candidates = [override, result.language, registry_language, *((standard.languages or []) if standard else [])]
    return next((c for c in candidates if c in LANGUAGES), "en")
