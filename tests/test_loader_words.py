"""`identity.words` lower-cases a text in one pass when that cannot move a word boundary;
it must give exactly the words of the rule (runs of \\w+, each lower-cased), for any text.
"""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.identity import words

WORD = re.compile(r"\w+")


def by_the_rule(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Tomás Ibáñez said: ÉCOLE, Straße & ǅemal",
        "İstanbul'da İKİ",  # 'İ' lower-cases to two characters
        # Greek capitals: a final sigma depends on what follows the word
        "\u039f\u0394\u039f\u03a3'\u0391 \u039f\u0394\u039f\u03a3. \u03a3",
        "ﬁne Ⅻ ①② x\u0307y",
        "",
    ],
)
def test_words_of_tricky_texts(text: str) -> None:
    assert words(text) == by_the_rule(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=sys.maxunicode, exclude_categories=["Cs"])))
def test_words_of_any_text(text: str) -> None:
    assert words(text) == by_the_rule(text)


@settings(max_examples=300, deadline=None)
# Capital and small sigmas, final sigma, capital omicron and delta, dotted capital I.
@given(st.text(alphabet="aA\u03a3\u03c3\u03c2\u0130iI'. \u039f\u0394é\u0307ǅ"))
def test_words_of_texts_made_of_the_characters_that_matter(text: str) -> None:
    assert words(text) == by_the_rule(text)
