"""codec.loads is strict like JSON.parse; loads_stringified (for JSON.stringify's own output)
reads the same values at C speed."""
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from taskerino_storage.errors import RecordDecodeError
from taskerino_storage.storage import codec


@pytest.mark.parametrize("literal", ["1e400", "1E+400", "1e0400", "-1.5e309", "1" + "0" * 309 + ".5",
                                     "17976931348623159e292", "0.1e310", "1e400 "])
def test_every_float_that_overflows_is_refused(literal):
    with pytest.raises(RecordDecodeError, match="out of range"):
        codec.loads("k", f'{{"a": [1, {literal}]}}')
    with pytest.raises(RecordDecodeError, match="out of range"):
        codec.loads("k", literal)


finite = st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(st.none() | st.booleans() | st.integers() | finite | st.text(),
                           lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20)


@given(value=json_values)
def test_stringified_text_reads_as_the_careful_path_reads_it(value):
    text = json.dumps(value)  # what JSON.stringify writes for finite values, up to number format
    assert json.dumps(codec.loads_stringified("k", text)) == json.dumps(codec.loads("k", text))


def test_stringified_text_that_is_not_json_names_the_key():
    with pytest.raises(RecordDecodeError, match="'sessions\\[3\\]'.*not valid JSON"):
        codec.loads_stringified("sessions[3]", "{broken")


json_texts_of_anything = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**53), max_value=2**53) | finite | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=40)


@given(value=json_texts_of_anything)
def test_what_dumps_writes_loads_reads_back_as_the_same_value(value):
    """The link verification rests on (docs/design.md, "Verification"): a record's text is
    codec.dumps(value), and the store giving back that text means giving back that value."""
    from taskerino_storage.session.compare import json_equal

    text = codec.dumps(value)
    assert json_equal(codec.loads("k", text), value)
    assert codec.dumps(codec.loads("k", text)) == text
