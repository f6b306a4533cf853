"""The passage `search` (and every alert) shows: around the first real match of the query.

The match is looked for from where a term's first word first occurs in the body (a quick
plain find); these pin what that shortcut must not change.
"""

from __future__ import annotations

from support.alerts import add_article, write_config

FILLER = " ".join(f"Paragraph {n} says nothing of interest to anyone." for n in range(40))


def shown(run_cli, tmp_path, body: str, *query: str) -> str:
    config = write_config(tmp_path, None)
    add_article(config, "https://en.yna.co.kr/view/1", "Talks resume", body)
    result = run_cli("search", *query, config=tmp_path / "config.yaml")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_word_inside_another_word_earlier_is_not_the_match(run_cli, tmp_path):
    body = f"The restart was planned. {FILLER} Critics called the exhibition art for art's sake."
    out = shown(run_cli, tmp_path, body, "art")
    assert "exhibition *art* for *art*'s sake" in out, out
    assert "restart" not in out, "the passage is the one around the match, not the start"


def test_letters_that_lengthen_when_lowered_do_not_shift_the_passage(run_cli, tmp_path):
    body = f"İstanbul İzmir İSTANBUL. The missile test was condemned. {FILLER} A missile flew."
    out = shown(run_cli, tmp_path, body, "missile")
    assert "The *missile* test was condemned." in out, out
    assert "A *missile* flew" not in out, "the first match, not the next"


def test_a_phrase_and_a_prefix_are_found_where_they_are(run_cli, tmp_path):
    body = f"North winds. {FILLER} Officials from North   Korea met; missiles were not discussed."
    out = shown(run_cli, tmp_path, body, '"north korea"', "OR", "missil*")
    assert "*North   Korea*" in out or "*North Korea*" in out, out
    assert "*missiles*" in out, out
