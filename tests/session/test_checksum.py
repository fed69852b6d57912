"""The checksum's canonical text, with its fast path (the dump as is, when no integer-valued float
can be in it), is byte for byte the text of the plain definition (JS numbers, then a sorted dump)."""
from __future__ import annotations

from hypothesis import given, settings
from representative_sessions import representative_sessions
from strategies import json_values, sessions
from taskerino_storage.session.checksum import _dumps, _js_numbers, canonical_json
from taskerino_storage.demo.samples import generate_sessions


def plain_definition(value) -> str:
    return _dumps(_js_numbers(value))


@settings(max_examples=400)
@given(json_values)
def test_any_json_value(value):
    assert canonical_json(value) == plain_definition(value)


@settings(max_examples=100)
@given(sessions())
def test_any_session(session):
    assert canonical_json(session) == plain_definition(session)


def test_real_sessions_and_strings_that_look_like_numbers():
    tricky = {"s": ['1.0', '"1.0,"', '\\"', '\\\\', 'a"1e+16"', '-0.0]'], "n": [1.0, -0.0, 1e16, 1e308, 5e-324, 0.1, 2.5e-8, -3.0e20],
              "1.0": 2.0, 'k"': {"x": [1.0]}}
    for value in [tricky, *representative_sessions(), *generate_sessions(20, seed=7)]:
        assert canonical_json(value) == plain_definition(value)
