"""Work spread over the cores: parts handed over while this process goes on come back in order."""

from __future__ import annotations

import os

import pytest

from qaudit.run.engine import fed_workers, map_in_workers

_SEEN: dict[str, int] = {}
"""Set before the workers fork: what they read beyond their part."""


def _square_and_pid(part: int) -> tuple[int, int, int]:
    if part < 0:
        raise ValueError(f"no part is negative ({part})")
    return part, part * part + _SEEN["offset"], os.getpid()


@pytest.mark.parametrize("workers", [1, 2])
def test_parts_handed_over_one_by_one_come_back_in_order(workers: int) -> None:
    _SEEN["offset"] = 7
    with fed_workers(_square_and_pid, workers) as feed:
        for part in range(40):
            feed.put(part)
        done = list(feed.results())
    assert [(part, square) for part, square, _ in done] == [(n, n * n + 7) for n in range(40)]
    pids = {pid for _, _, pid in done}
    if workers == 1:
        assert pids == {os.getpid()}  # worked out here, as each was handed over
    else:
        assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_a_feed_with_no_part_gives_nothing_and_its_workers_end() -> None:
    with fed_workers(_square_and_pid, 2) as feed:
        assert list(feed.results()) == []
    with fed_workers(_square_and_pid, 2):
        pass  # left without asking for results: the block still ends


def test_a_failing_part_fails_the_caller_and_no_part_is_taken_after_the_results() -> None:
    _SEEN["offset"] = 0
    with fed_workers(_square_and_pid, 2) as feed:
        feed.put(3)
        feed.put(-1)
        results = feed.results()
        with pytest.raises(AssertionError):
            feed.put(4)  # the parts ended when the results were asked for
        assert next(results)[:2] == (3, 9)
        with pytest.raises(ValueError, match=r"no part is negative \(-1\)"):
            next(results)


def test_map_in_workers_is_map_in_order() -> None:
    _SEEN["offset"] = 1
    for workers in (1, 2, 3):
        assert [square for _, square, _ in map_in_workers(_square_and_pid, list(range(25)), workers)] == [
            n * n + 1 for n in range(25)
        ]
