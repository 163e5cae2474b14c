"""JSON Lines property: whatever mix of good and bad lines, exactly the good ones import."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from articles.ingest import ParsedArticle, read_documents

BAD_LINES = st.sampled_from(
    [
        "{oops",
        "[1, 2]",
        "42",
        '"text"',
        '{"headline": "h", "body": "b", "x": NaN}',
        '{"headline": "h", "headline": "h2", "body": "b"}',
        '{"body": "no headline"}',
        '{"headline": "no body"}',
        '{"headline": ["list"], "body": "b"}',
        '{"headline": "h", "body": 12}',
        '{"headline": "h", "body": "b", "version": "v2"}',
        '{"headline": "h", "body": "b", "date": "yesterday"}',
    ]
)
GOOD_TEXT = st.text(alphabet=st.characters(categories=["L", "N", "Zs"]), min_size=3, max_size=40).filter(
    lambda s: len(s.strip()) >= 3
)


@st.composite
def lines(draw):
    kinds = draw(st.lists(st.booleans(), min_size=1, max_size=25))
    out = []
    for n, good in enumerate(kinds):
        if good:
            record = {"id": f"s{n}", "headline": draw(GOOD_TEXT), "body": draw(GOOD_TEXT), "language": "en"}
            out.append(json.dumps(record, ensure_ascii=draw(st.booleans())))
        else:
            out.append(draw(BAD_LINES))
    return kinds, out


@settings(max_examples=60, deadline=None)
@given(lines())
def test_imported_count_equals_the_number_of_valid_lines(case):
    kinds, raw = case
    results = list(read_documents("feed.jsonl", ("\n".join(raw) + "\n").encode()))
    assert len(results) == len(raw)
    parsed = [label for label, result in results if isinstance(result, ParsedArticle)]
    assert parsed == [f"feed.jsonl line {n}" for n, good in enumerate(kinds, start=1) if good]
