"""Hypothesis strategies of crafted cursors: positions near valid ones, and anything else."""

import base64
import json
import math
from datetime import datetime

from hypothesis import strategies as st


def crafted(payload) -> str:
    """A cursor of `payload` (JSON text, or a value to write as JSON), as the lists encode one."""
    raw = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# ISO dates at any offset Python reads, PostgreSQL's ±15:59 and beyond.
ANY_OFFSET = st.builds(
    lambda moment, sign, hours, minutes: f"{moment.isoformat()}{sign}{hours:02d}:{minutes:02d}",
    st.datetimes(),
    st.sampled_from("+-"),
    st.integers(0, 23),
    st.integers(0, 59),
)
OUT_OF_RANGE = st.sampled_from([math.inf, -math.inf, math.nan, 1e308, 2**63, 2**64, -(2**64), -1])
ANYTHING = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=5,
)
# Keys of every list's type (ranks, counts, dates at any offset), numbers out of range, anything.
KEYS = st.one_of(
    st.floats(-3.4e38, 3.4e38),
    st.integers(-(2**63) + 1, 2**63 - 1),
    st.datetimes(timezones=st.none() | st.timezones()).map(datetime.isoformat),
    ANY_OFFSET,
    OUT_OF_RANGE,
    ANYTHING,
)
IDS = st.one_of(st.integers(0, 2**63 - 1), OUT_OF_RANGE, ANYTHING)
POSITIONS = st.fixed_dictionaries({"k": KEYS, "i": IDS}, optional={"b": st.booleans() | ANYTHING}).map(
    lambda payload: crafted(json.dumps(payload, allow_nan=True, separators=(",", ":")))
)
