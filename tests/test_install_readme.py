"""The README's quick start says what the bundled data/ answers: keep it true."""

from __future__ import annotations

import json
import re

from tests.conftest import REPO, LiveServer

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_quick_start_curl_answers_what_the_readme_says(data_server: LiveServer) -> None:
    body = re.search(r"curl -s http://127\.0\.0\.1:8000/graphql .*?-d '(\{.*?\})'", README, re.S)
    stated = re.search(r"which answers `(\{\"data\":.*?\}),\.\.\.\}`", README)
    assert body and stated, "the README's quick start has its curl command and its answer"
    answer = data_server.graphql(**json.loads(body[1]))
    assert answer["data"] == json.loads(stated[1] + "}")["data"]

    # The ready line it quotes gives the same count.
    ready = re.search(r"`content-graph ready: \S+\s+\(playground\), ([\d,]+) articles`", README)
    assert ready, "the README quotes the ready line"
    assert int(ready[1].replace(",", "")) == answer["data"]["stats"]["articles"]
