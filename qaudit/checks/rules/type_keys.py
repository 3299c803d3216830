"""type-keys (error): an item or field has the keys its type needs, and none that belong to another type.

``scale`` needs ``min`` and ``max``; ``number`` needs ``bands`` (and may have
``unit``); ``choice`` and ``multi_choice`` need ``options``; only ``text`` and
``date`` items take ``required``. A ``choice`` field needs ``options``, and no
other field takes them. A key of another type (``bands`` on a ``yes_no`` item)
would be silently ignored, so it is an error too. A ``number`` item keeps its
scored ``bands`` even with ``scored: false``: they say which band a value falls in.

Passing::

    {id: start-delay, type: number, unit: minutes, bands: [{max: 0, score: 1}, {score: 0}]}

Failing::

    {id: start-delay, type: number, min: 0, max: 10}   # no bands; min/max do not apply
"""

from collections.abc import Iterator

from ...problems import Problem
from ..context import Context

ID = "type-keys"
SEVERITY = "error"

_NEEDS: dict[str, tuple[str, ...]] = {
    "yes_no": (),
    "scale": ("min", "max"),
    "number": ("bands",),
    "choice": ("options",),
    "multi_choice": ("options",),
    "text": (),
    "date": (),
}
_ALLOWS: dict[str, tuple[str, ...]] = {
    "yes_no": (),
    "scale": ("min", "max"),
    "number": ("bands", "unit"),
    "choice": ("options",),
    "multi_choice": ("options",),
    "text": ("required",),
    "date": ("required",),
}
_TYPED = ("min", "max", "bands", "unit", "options", "required")


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        for key in _NEEDS[item.type]:
            if getattr(item, key) is None:
                yield ctx.error(
                    path + ("type",),
                    ID,
                    f"{item.type} item '{item.id}' needs '{key}'; add it",
                )
        for key in _TYPED:
            if key not in _ALLOWS[item.type] and getattr(item, key) is not None:
                owners = [t for t, keys in _ALLOWS.items() if key in keys]
                yield ctx.error(
                    path + (key,),
                    ID,
                    f"'{key}' applies only to {_joined(owners)} items, and item '{item.id}' is "
                    f"{item.type}; remove it or change the type",
                    key=True,
                )
    for fi, header in enumerate(ctx.standard.fields or ()):
        path = ("fields", fi)
        if header.type == "choice" and header.options is None:
            yield ctx.error(
                path + ("type",),
                ID,
                f"choice field '{header.id}' needs 'options' (a list, or the name of an option set); add it",
            )
        if header.type != "choice" and header.options is not None:
            yield ctx.error(
                path + ("options",),
                ID,
                f"'options' applies only to choice fields, and field '{header.id}' is {header.type}; "
                "remove it or change the type",
                key=True,
            )


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
