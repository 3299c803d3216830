"""missing-translation (error): when ``languages`` is declared, every text covers every declared language.

Also under this rule: a language listed twice in ``languages``. A text in a
language that is not declared is the warning ``undeclared-language``; a plain
string where languages are declared (allowed, shown as is in every language) is
the warning ``plain-text``.

Passing::

    languages: [en, hy]
    title: {en: Punctuality, hy: Ճշտապահություն}

Failing::

    languages: [en, hy]
    title: {en: Punctuality}   # no hy text
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "missing-translation"
UNDECLARED_ID = "undeclared-language"
PLAIN_ID = "plain-text"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    languages = ctx.standard.languages
    if not languages:
        return
    seen: set[str] = set()
    for li, code in enumerate(languages):
        if code in seen:
            yield ctx.error(("languages", li), ID, f"language '{code}' is listed twice; list each language once")
        seen.add(code)
    for path, text, name in ctx.texts():
        if isinstance(text, str):
            # The format allows a plain string anywhere; it is shown as is in every language.
            yield ctx.warning(
                path,
                PLAIN_ID,
                f"{name} is plain text, shown as is in every language ({', '.join(languages)}); "
                "write it as a mapping with a text for each to translate it",
            )
            continue
        missing = [code for code in languages if code not in text]
        if missing:
            # A block mapping starts on the line below its key (at its first language);
            # point at the key (`text:`), the line a reader takes for the whole text.
            block = ctx.at(path, key=True)[0] < ctx.at(path)[0]
            yield ctx.error(path, ID, f"{name} has no {', '.join(missing)} text; add the translation", key=block)
        for code in text:
            if code not in seen:
                yield ctx.warning(
                    path + (code,),
                    UNDECLARED_ID,
                    f"{name} has a '{code}' text but '{code}' is not in languages; declare it or remove it",
                    key=True,
                )
