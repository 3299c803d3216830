"""What a standard remembers of the answers to its items: each recurring answer read and scored once."""

from __future__ import annotations

from typing import Any


class Memo:
    """Answers already worked out for one standard.

    The response reader keeps here how each raw answer reads (``read``) and the
    response each bare answer makes (``answers``); the scorer each scored
    response's item result (``scored``); rescoring each old answer carried over
    onto this version (``carried``). They are keyed by item id and answer (and
    the answer's type: ``1``, ``1.0`` and ``True`` are equal in Python): the
    same few answers recur in every audit, so each is read and scored once. A
    standard's own (:attr:`Standard.memo`), gone with it; each table stops
    growing at :data:`LIMIT` entries (free text and comments vary without end).

    The reader and rescoring give the very same response object each time a
    bare answer recurs, so the scorer also finds its item result by the
    object's identity (``scored_responses``: ``id(response)`` to the item id,
    the memo's entry and the response, which the entry keeps alive so that its
    identity is never another's).
    """

    __slots__ = ("answers", "carried", "read", "scored", "scored_responses")
    LIMIT = 65536

    def __init__(self) -> None:
        self.read: dict[Any, Any] = {}
        self.answers: dict[Any, Any] = {}
        self.carried: dict[Any, Any] = {}
        self.scored: dict[Any, Any] = {}
        self.scored_responses: dict[int, tuple[str, Any, Any]] = {}
