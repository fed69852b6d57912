"""JSON.stringify's text, checked against what node prints (the expected texts below were
printed by `node -e 'console.log(JSON.stringify(JSON.parse(TEXT)))'`, node 18+)."""
from __future__ import annotations

import json

import pytest
from taskerino_storage.session.js_json import from_python_text, js_stringify, number_text


@pytest.mark.parametrize("text, js", [
    ("1e21", "1e+21"), ("1e-7", "1e-7"), ("5e-324", "5e-324"),
    ("123456789012345678901", "123456789012345680000"), ("-0", "0"), ("-0.0", "0"),
    ("0.30000000000000004", "0.30000000000000004"), ("57.0", "57"), ("1e16", "10000000000000000"),
    ("0.00001", "0.00001"), ("0.0000015", "0.0000015"), ("1.5e-7", "1.5e-7"), ("1e20", "100000000000000000000"),
    ("9007199254740993", "9007199254740992"), ("-9007199254740993", "-9007199254740992"),
    ("9007199254740992", "9007199254740992"), ("1.7976931348623157e308", "1.7976931348623157e+308"),
    ("123.456", "123.456"), ("1e400", "null"), ("-1e400", "null"), ("[1e400,-0,2.50]", "[null,0,2.5]"),
    ('{"b":1,"10":2,"2":3,"01":4,"4294967295":5,"4294967294":6,"a":{"1":[1.0]}}',
     '{"2":3,"10":2,"4294967294":6,"b":1,"01":4,"4294967295":5,"a":{"1":[1]}}'),
    ('{"s":"57.0 and 1e-05 stay","n":1e-05}', '{"s":"57.0 and 1e-05 stay","n":0.00001}'),
    ('"\\ud800x\\u2028é"', '"\\ud800x\u2028é"'),
])
def test_stringify_writes_what_javascript_writes(text, js):
    assert js_stringify(json.loads(text), nonfinite_null=True) == js


def test_number_text_is_number_to_string():
    assert [number_text(x) for x in (0.1 + 0.2, 1e21, 1e-7, 5e-324, -0.0, 1e-6, 123e-20, 2 ** 64)] == [
        "0.30000000000000004", "1e+21", "1e-7", "5e-324", "0", "0.000001", "1.23e-18", "18446744073709552000"]


def test_a_nonfinite_number_is_refused_unless_asked_for_null():
    with pytest.raises(ValueError):
        js_stringify(float("inf"))
    with pytest.raises(ValueError):
        js_stringify(10 ** 400)
    assert js_stringify([10 ** 400], nonfinite_null=True) == "[null]"


def test_indented_is_json_stringify_with_two_spaces():
    assert js_stringify({"a": [1.0, {"1": 2, "x": []}], "b": {}}, 2) == \
        '{\n  "a": [\n    1,\n    {\n      "1": 2,\n      "x": []\n    }\n  ],\n  "b": {}\n}'


def test_from_python_text_matches_stringify():
    value = {"x": 57.0, "9": [1e-05, 2 ** 60, "1.0"], "y": "plain"}
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert from_python_text(text) == js_stringify(value) == '{"9":[0.00001,1152921504606847000,"1.0"],"x":57,"y":"plain"}'
    assert from_python_text('{"a":1,"b":"c"}') == '{"a":1,"b":"c"}'
