"""Results in their serialised form: what is read back without decoding it in full is exact."""

from __future__ import annotations

import dataclasses
import json
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from qaudit.load.audits import load_audit
from qaudit.load.standards import load_standards
from qaudit.results.resultset import ResultSet
from qaudit.results.serialise import head_and_score_texts, pack
from qaudit.scoring.scorer import score

HERE = os.path.dirname(__file__)
LIBRARY = load_standards(os.path.join(HERE, "data", "spec", "standards"))
AUDIT = load_audit(os.path.join(HERE, "data", "spec", "audits", "yvn-01-2026-11-20.yaml"), LIBRARY)
STANDARD = LIBRARY.get(AUDIT.standard, AUDIT.standard_version)

# Text that looks like the serialised fields themselves, quotes and escapes included.
TRICKY = st.lists(
    st.sampled_from(['"', "\\", ",", "]", "[", "{", "}", ":", "a", "é", "\n"])
    | st.sampled_from(['],"coverage":', ',"items":[', '{"id":"x","section":"s","value":1,"na":false,"score":0.5,']),
    max_size=8,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(comment=TRICKY, inspector=TRICKY.filter(bool), name=st.none() | TRICKY)
def test_head_and_score_texts_agree_with_the_full_decoding(comment: str, inspector: str, name: str | None) -> None:
    assert STANDARD is not None
    responses = {k: r._replace(comment=comment) for k, r in AUDIT.responses.items()}
    audit = dataclasses.replace(AUDIT, responses=responses, inspector=inspector)
    result = dataclasses.replace(score(STANDARD, audit), site_name=name)
    _, blob = pack(result)
    head, texts = head_and_score_texts(blob)
    full = json.loads(blob)
    scores = [(item_id.decode(), json.loads(score), json.loads(finding)) for item_id, score, finding in texts]
    assert scores == [(item["id"], item["score"], item["finding"]) for item in full.pop("items")]
    assert head == {**full, "items": []}


def test_a_site_range_and_the_standards_are_read_from_the_set() -> None:
    assert STANDARD is not None
    results = ResultSet()
    for site in ("b-site", "a-site", "a-site", "c-site"):
        results.append(dataclasses.replace(score(STANDARD, AUDIT), site=site))
    assert [key[0] for key, _ in results.blobs_between(0, len(results))] == ["a-site", "a-site", "b-site", "c-site"]
    assert results.site_ranges(4) == [(0, 2), (2, 3), (3, 4)]  # a site's audits are never split
    assert results.standard_ids() == ["client-service-core"]
    assert results.first_of_site("b-site").site == "b-site"


@settings(max_examples=60, deadline=None)
@given(
    sites=st.lists(st.sampled_from(["a-site", "b-site", "c-site", "d-site"]), min_size=1, max_size=12), data=st.data()
)
def test_runs_of_added_results_name_each_result_in_output_order(sites: list[str], data: st.DataObject) -> None:
    """Results handed out in the order added, as runs of the spill file, come back whole, and their offsets
    put them in output order however the set was read in between."""
    assert STANDARD is not None
    results = ResultSet()
    texts: dict[int, bytes] = {}
    cuts = sorted(data.draw(st.sets(st.integers(0, len(sites)), max_size=4)) | {len(sites)})
    start = 0
    for n, site in enumerate(sites):
        results.append(dataclasses.replace(score(STANDARD, AUDIT), site=site, id=f"audit-{n:02d}"))
        if data.draw(st.booleans()):
            results.blob_at(0)  # reading in output order meanwhile never reorders what was added
        if n + 1 in cuts:
            offset, sizes = results.added_run(start, n + 1)
            assert len(sizes) == n + 1 - start
            texts.update(results.run_blobs(offset, sizes))
            start = n + 1
    assert len(texts) == len(sites)
    assert [texts[offset] for offset in results.offsets()] == list(results.blobs())
    assert [json.loads(texts[offset])["site"] for offset in results.offsets()] == sorted(sites)
