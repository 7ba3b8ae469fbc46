"""The audit's JSON text is exactly json.dumps(indent=2, ensure_ascii=False) of its document."""

import json
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from focuscal import app
from focuscal.config import Settings
from focuscal.report.audit import audit_dict, dumps_indented, to_json
from focuscal.window import Window
from tests.conftest import EXAMPLES

SCALARS = (
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@given(VALUES)
def test_same_text_as_json_dumps(value):
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize(
    "value",
    [
        {}, [], {"a": {}, "b": [], "c": [[]]}, ("tuple", 1), "ünïcode \u2028 \x00 \"quoted\" \\",
        {"nan": float("nan")}, {"inf": [float("-inf")]}, {1: "int key"}, {None: 0},
        {"x": 2**70, "y": -0.0, "z": 1e-7},
    ],
)
def test_edge_values(value):
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("name", ["sales-week.ics", "calm-week.ics"])
def test_audit_json_is_the_indented_document(name):
    result = app.audit(Settings(), [str(EXAMPLES / name)],
                       Window(date(2026, 1, 5), date(2026, 6, 28), weeks=25),
                       ZoneInfo("America/New_York"))
    assert to_json(result) == json.dumps(audit_dict(result), indent=2, ensure_ascii=False) + "\n"
