"""Type-strict JSON comparison: JS's rules, complete differences, and fast on big sessions."""
import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from representative_sessions import representative_sessions, typical_full_session
from strategies import json_values, sessions
from taskerino_storage.session import compare
from taskerino_storage.session.compare import Difference, json_diff, json_equal


def tagged(value):
    """A reference: JSON values as tagged tuples, so Python's == can't mix bools and numbers."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("num", value)
    if isinstance(value, list):
        return ("arr", tuple(tagged(v) for v in value))
    if isinstance(value, dict):
        return ("obj", frozenset((k, tagged(v)) for k, v in value.items()))
    return (type(value).__name__, value)


@pytest.mark.parametrize("a, b", [
    (True, 1), (False, 0), (1.0, True), ([True], [1]), ({"a": False}, {"a": 0}),
    ({"x": [{"y": [1, True]}]}, {"x": [{"y": [1, 1]}]}), (1, "1"), (None, 0), (None, False),
    ({"a": None}, {}), ([], {}), ("", None), ([1, 2], [2, 1]),
])
def test_unequal(a, b):
    assert not json_equal(a, b) and not json_equal(b, a)
    assert json_diff(a, b) and json_diff(b, a)


@pytest.mark.parametrize("a, b", [
    (1, 1.0), (2**63, float(2**63)), (-0.0, 0), ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
    ([{"n": 3, "f": [0.5, 2]}], [{"f": [0.5, 2.0], "n": 3.0}]), ("\ud800", "\ud800"), (None, None),
])
def test_equal(a, b):
    assert json_equal(a, b) and json_equal(b, a)
    assert json_diff(a, b) == []


def test_differences_name_the_place_and_the_kind():
    expected = {"screenshots": [{"id": "a"}, {"id": "b", "aiAnalysis": {"summary": "x", "confidence": 1}}],
                "tags": ["t"], "gone": None, "weird key": 1}
    actual = {"screenshots": [{"id": "a"}, {"id": "b", "aiAnalysis": {"summary": "y", "confidence": True}},
                              {"id": "c"}],
              "tags": [], "new": 0, "weird key": 2}
    assert json_diff(expected, actual) == [
        Difference("screenshots", 2, 3, "length"),
        Difference("screenshots[1].aiAnalysis.summary", "x", "y", "value"),
        Difference("screenshots[1].aiAnalysis.confidence", 1, True, "type"),
        Difference("screenshots[2]", None, {"id": "c"}, "unexpected"),
        Difference("tags", 1, 0, "length"),
        Difference("tags[0]", "t", None, "missing"),
        Difference("gone", None, None, "missing"),
        Difference('["weird key"]', 1, 2, "value"),
        Difference("new", None, 0, "unexpected"),
    ]
    assert str(json_diff([1, 2], [1])[0]) == "(root).length: expected 2, got 1"
    assert str(Difference("a.b", "x", "y", "value")) == 'a.b: expected "x", got "y"'
    assert json_diff({"a": 1}, {"a": 2}, path="session") == [Difference("session.a", 1, 2, "value")]


@settings(max_examples=300, deadline=None)
@given(json_values, json_values)
def test_agrees_with_a_tagged_reference(a, b):
    assert json_equal(a, b) == (tagged(a) == tagged(b))
    assert (json_diff(a, b) == []) == json_equal(a, b)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_a_value_equals_its_copy(value):
    assert json_equal(value, copy.deepcopy(value))
    assert json_diff(value, copy.deepcopy(value)) == []


@settings(max_examples=100, deadline=None)
@given(sessions(), st.data())
def test_a_number_turned_bool_is_found(session, data):
    """Flip one number to a bool anywhere in a session: the diff names exactly that place."""
    places = []

    def walk(value, path):
        for key, sub in (value.items() if isinstance(value, dict) else enumerate(value)):
            here = path + [key]
            if isinstance(sub, (int, float)) and not isinstance(sub, bool) and sub in (0, 1):
                places.append(here)
            elif isinstance(sub, (dict, list)):
                walk(sub, here)

    walk(session, [])
    if not places:
        return
    where = data.draw(st.sampled_from(places))
    changed = copy.deepcopy(session)
    target = changed
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = bool(target[where[-1]])
    assert not json_equal(session, changed)
    [difference] = json_diff(session, changed)
    assert difference.kind == "type"


def big_session(screenshots=400):
    session = typical_full_session()
    base = session["screenshots"][0]
    session["screenshots"] = [{**copy.deepcopy(base), "id": f"s{i}"} for i in range(screenshots)]
    return session


def node_count(value) -> int:
    if isinstance(value, dict):
        return 1 + sum(node_count(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(node_count(v) for v in value)
    return 1


def test_fast_on_a_big_session(monkeypatch):
    """What keeps comparing a 200 KB session fast, counted rather than timed: each side is
    serialized about once per level of the path to a difference, and the walk visits only the
    nodes along that path and their siblings, never the whole tree."""
    import json
    session = big_session()
    size = len(json.dumps(session))
    assert size > 200_000
    same, changed = copy.deepcopy(session), copy.deepcopy(session)
    changed["screenshots"][350]["aiAnalysis"]["confidence"] = True
    work = {"walked": 0, "serialized": 0}
    walk, serialize = compare._diff, compare._canonical

    def counted_walk(*args):
        work["walked"] += 1
        return walk(*args)

    def counted_serialize(value):
        text = serialize(value)
        work["serialized"] += len(text)
        return text
    monkeypatch.setattr(compare, "_diff", counted_walk)
    monkeypatch.setattr(compare, "_canonical", counted_serialize)

    assert json_diff(session, same) == []
    assert work == {"walked": 1, "serialized": work["serialized"]} and work["serialized"] <= 2 * size
    work.update(walked=0, serialized=0)
    [difference] = json_diff(session, changed)
    assert difference.path == "screenshots[350].aiAnalysis.confidence"
    assert work["walked"] < node_count(session) / 10, work
    assert work["serialized"] <= 2 * size, work


def test_representative_sessions_equal_their_copies():
    for session in representative_sessions():
        assert json_diff(session, copy.deepcopy(session)) == []
