"""band-order (error): a ``number`` item's bands have strictly increasing ``max``;
band-catch-all (error): only the last band, and always the last band, has no ``max``.

The first band whose ``max`` is at least the value wins, so a band out of order
would never be reached, and a value above every ``max`` needs a catch-all band.

Passing::

    bands: [{max: 0, score: 1}, {max: 5, score: 0.5}, {score: 0}]

Failing::

    bands: [{max: 5, score: 1}, {max: 5, score: 0.5}, {max: 10, score: 0}]
    # second band: max not above 5 (band-order); last band has a max (band-catch-all)
"""

from collections.abc import Iterator

from ...model import Item
from ...problems import Problem
from ..engine import Context

ID = "band-order"
CATCH_ALL_ID = "band-catch-all"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Problem]:
    for path, item in ctx.items():
        assert isinstance(item, Item)
        if item.type != "number" or not item.bands:
            continue
        bands = item.bands
        previous: float | None = None
        for bi, band in enumerate(bands):
            bpath = path + ("bands", bi)
            last = bi == len(bands) - 1
            if band.max is None:
                if not last:
                    yield ctx.error(
                        bpath,
                        CATCH_ALL_ID,
                        f"band {bi + 1} of item '{item.id}' has no max but is not the last band; "
                        "give it a max, or move it to the end as the catch-all",
                    )
                continue
            if last:
                yield ctx.error(
                    bpath + ("max",),
                    CATCH_ALL_ID,
                    f"the last band of item '{item.id}' has a max ({band.max:g}); remove it so the last band "
                    "catches every larger value",
                )
            if previous is not None and band.max <= previous:
                yield ctx.error(
                    bpath + ("max",),
                    ID,
                    f"band {bi + 1} of item '{item.id}' has max {band.max:g}, not above the previous band's "
                    f"{previous:g}; list bands by strictly increasing max",
                )
            previous = band.max if previous is None else max(previous, band.max)
