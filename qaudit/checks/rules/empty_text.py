"""empty-text (error): a title, text, guidance or label that is empty, in any language.

An empty text shows as a blank line on a form, a checklist or a scorecard; the
inspector cannot tell what to judge. With ``languages`` declared, an empty
translation is reported where it stands.

Passing::

    text: {en: The client was addressed by name, hy: Հաճախորդին դիմեցին անունով}

Failing::

    text: {en: The client was addressed by name, hy: ""}   # hy reported
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "empty-text"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    for path, text, name in ctx.texts():
        optional = path[-1] in ("guidance", "label")
        if isinstance(text, str):
            if not text.strip():
                hint = "write it, or remove the key" if optional else "write it"
                yield ctx.error(path, ID, f"{name} is empty; {hint}")
            continue
        if not text:
            if not ctx.standard.languages:  # with languages declared, missing-translation names each one
                yield ctx.error(path, ID, f"{name} has no text in any language; write it, e.g. {{en: ...}}")
            continue
        for code, value in text.items():
            if not value.strip():
                yield ctx.error(path + (code,), ID, f"{name} in '{code}' is empty; write the {code} text")
