"""The admission rule of the request caches: a key counts from its second sighting."""

from __future__ import annotations

from content_graph.sightings import Sightings


def test_a_key_is_let_in_at_its_second_sighting_and_then_starts_over() -> None:
    sightings = Sightings()
    assert [sightings.seen_before("a") for _ in range(5)] == [False, True, False, True, False]
    assert sightings.seen_before("b") is False
    assert sightings.seen_before(("a", 1)) is False
    assert sightings.seen_before("b") is True


def test_first_sightings_are_forgotten_all_at_once_at_the_bound() -> None:
    sightings = Sightings(size=3)
    assert [sightings.seen_before(key) for key in "abc"] == [False] * 3
    assert sightings.seen_before("d") is False  # the fourth: a, b and c are forgotten
    assert sightings.seen_before("a") is False
    assert sightings.seen_before("d") is True
