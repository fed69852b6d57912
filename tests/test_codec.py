"""codec.loads: strict like JSON.parse, and its fast path (no call per float) decides exactly as
the careful one does."""
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskerino_storage import codec
from taskerino_storage.errors import RecordDecodeError


def careful(text):
    """The reference: every float checked (the path loads takes when a number might overflow)."""
    return json.loads(text, parse_float=codec._finite_float, parse_constant=codec._no_constant)


@pytest.mark.parametrize("literal", ["1e400", "1E+400", "1e0400", "-1.5e309", "1" + "0" * 309 + ".5",
                                     "17976931348623159e292", "0.1e310", "1e400 "])
def test_every_float_that_overflows_is_refused(literal):
    with pytest.raises(RecordDecodeError, match="out of range"):
        codec.loads("k", f'{{"a": [1, {literal}]}}')
    with pytest.raises(RecordDecodeError, match="out of range"):
        codec.loads("k", literal)


@given(digits=st.text("0123456789", min_size=1, max_size=320), fraction=st.text("0123456789", max_size=5),
       exponent=st.one_of(st.none(), st.integers(-500, 500)), zeros=st.integers(0, 3))
def test_the_fast_path_decides_like_the_careful_one(digits, fraction, exponent, zeros):
    literal = digits.lstrip("0") or "0"
    literal += f".{fraction}" if fraction else ""
    literal += "" if exponent is None else f"e{'-' if exponent < 0 else '+'}{'0' * zeros}{abs(exponent)}"
    for text in (literal, f' {literal} ', f'[{literal}, "{literal}"]', f'{{"a":\n {literal}}}', f'["x", -{literal}]'):
        try:
            expected = careful(text)
        except ValueError:
            with pytest.raises(RecordDecodeError):
                codec.loads("k", text)
            continue
        assert codec.loads("k", text) == expected
