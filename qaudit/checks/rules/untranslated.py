"""untranslated-text (warning): a text in another language is identical to the default language's text.

Usually a copy pasted in as a placeholder and never translated.

Passing::

    languages: [en, lv]
    title: {en: Punctuality, lv: Punktualitāte}

Failing::

    languages: [en, lv]
    title: {en: Punctuality, lv: Punctuality}   # lv reported
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "untranslated-text"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Problem]:
    default = ctx.standard.default_language
    if default is None:
        return
    for path, text, name in ctx.texts():
        if not isinstance(text, dict) or default not in text:
            continue
        for code, value in text.items():
            if code != default and value.strip() == text[default].strip() and value.strip():
                yield ctx.warning(
                    path + (code,),
                    ID,
                    f"{name} in '{code}' is the same as in '{default}'; translate it",
                )
