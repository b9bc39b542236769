"""Tests for the pure word-level revision diff."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.diffing import DiffOp, diff_stats, tokenize, word_diff

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_d83457cbb5fd5b29.txt"


def _old_side(ops: list[DiffOp]) -> str:
    """Rebuild the old text from equal and delete runs."""
    return "".join(op.text for op in ops if op.kind != "insert")


def _new_side(ops: list[DiffOp]) -> str:
    """Rebuild the new text from equal and insert runs."""
    return "".join(op.text for op in ops if op.kind != "delete")


def test_tokenize_keeps_every_character_and_splits_punctuation() -> None:
    text = "Belchett, Condemned the “violent response”.\n\n  Lukashenko’s party"
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert tokens[:4] == ["Belchett", ",", " ", "Condemned"]
    assert "Lukashenko’s" in tokens
    assert "\n\n  " in tokens


def test_identical_texts_give_one_equal_run() -> None:
    assert word_diff("calm the winds", "calm the winds") == [DiffOp("equal", "calm the winds")]


def test_empty_texts() -> None:
    assert word_diff("", "") == []
    assert word_diff("", "new text") == [DiffOp("insert", "new text")]
    assert word_diff("old text", "") == [DiffOp("delete", "old text")]


def test_replacement_is_delete_then_insert() -> None:
    ops = word_diff("commissioner, Michelle Belchett, Condemned", "commissioner, Michelle Bachelet, condemned")
    assert ops == [
        DiffOp("equal", "commissioner, Michelle "),
        DiffOp("delete", "Belchett"),
        DiffOp("insert", "Bachelet"),
        DiffOp("equal", ", "),
        DiffOp("delete", "Condemned"),
        DiffOp("insert", "condemned"),
    ]
    assert diff_stats(ops) == (2, 2)


def test_adjacent_word_changes_read_as_one_phrase() -> None:
    ops = word_diff("in order to calm the winds.", "in order to calm the waters.")
    assert ops == [
        DiffOp("equal", "in order to calm the "),
        DiffOp("delete", "winds"),
        DiffOp("insert", "waters"),
        DiffOp("equal", "."),
    ]
    ops = word_diff("Opposition rival Svetlana Tikhnovskaya won", "Opposition leader Sviatlana Tsikhanouskaya won")
    # The single spaces between the three changed words are folded into the change.
    assert ops == [
        DiffOp("equal", "Opposition "),
        DiffOp("delete", "rival Svetlana Tikhnovskaya"),
        DiffOp("insert", "leader Sviatlana Tsikhanouskaya"),
        DiffOp("equal", " won"),
    ]
    assert diff_stats(ops) == (3, 3)


def test_pure_insertion_and_deletion() -> None:
    ops = word_diff("Putin Spoke with Lukashenko", "Putin spoke on Saturday with Lukashenko")
    assert ops == [
        DiffOp("equal", "Putin "),
        DiffOp("delete", "Spoke"),
        DiffOp("insert", "spoke on Saturday"),
        DiffOp("equal", " with Lukashenko"),
    ]
    assert diff_stats(ops) == (3, 1)
    ops = word_diff("the union’s foreign ministers", "the foreign ministers")
    # Which of the two spaces goes with the deletion is SequenceMatcher's choice.
    assert [op.kind for op in ops] == ["equal", "delete", "equal"]
    assert ops[1].text.strip() == "union’s"
    assert _new_side(ops) == "the foreign ministers"
    assert diff_stats(ops) == (0, 1)


def test_no_adjacent_runs_of_the_same_kind_and_no_empty_runs() -> None:
    ops = word_diff("a b c d e f g", "a x c y e z g")
    kinds = [op.kind for op in ops]
    assert all(op.text for op in ops)
    assert all(k1 != k2 for k1, k2 in zip(kinds, kinds[1:], strict=False))


def test_stats_ignore_whitespace_and_punctuation() -> None:
    ops = word_diff("Hello, world", "Hello;  world!")
    assert _new_side(ops) == "Hello;  world!"
    assert diff_stats(ops) == (0, 0)


def test_seed_article_revision_round_trip() -> None:
    old = SEED.read_text(encoding="utf-8")
    new = (
        old.replace("Belchett", "Bachelet")
        .replace("Tikhnovskaya", "Tsikhanouskaya")
        .replace("Tiknovskaya", "Tsikhanouskaya")
        .replace("calm the winds", "calm the waters")
        .replace("Please enter your comment!\nPlease enter your name here", "")
    )
    ops = word_diff(old, new)
    assert _old_side(ops) == old
    assert _new_side(ops) == new
    deleted = [op.text for op in ops if op.kind == "delete"]
    inserted = [op.text for op in ops if op.kind == "insert"]
    assert "Belchett" in deleted and "Bachelet" in inserted
    assert deleted.count("Tikhnovskaya") == 2
    assert "winds" in deleted and "waters" in inserted
    words_inserted, words_deleted = diff_stats(ops)
    # 5 names + 1 idiom word inserted; the same plus 9 boilerplate words deleted.
    assert words_inserted == 5
    assert words_deleted == 5 + 9


@pytest.mark.parametrize(
    ("old", "new"),
    [("Spoke", "spoke"), ("a  b", "a b"), ("x\n", "x"), ("…", "...")],
)
def test_small_edits_are_visible(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert any(op.kind != "equal" for op in ops)
    assert _old_side(ops) == old and _new_side(ops) == new


_alphabet = st.sampled_from(list("abcAB ") + ["Belchett", "Bachelet", " ", "\n", ",", ".", "’", "é", "Ж", "\t", "-"])
_texts = st.lists(_alphabet, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(old=_texts, new=_texts)
def test_property_both_sides_reconstruct_exactly(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert _old_side(ops) == old
    assert _new_side(ops) == new
    assert all(op.text for op in ops)
    for first, second in zip(ops, ops[1:], strict=False):
        assert first.kind != second.kind
        # A change run always shows its deletion before its insertion.
        assert (first.kind, second.kind) != ("insert", "delete")


@settings(max_examples=200, deadline=None)
@given(old=st.text(max_size=60), new=st.text(max_size=60))
def test_property_any_unicode_text_reconstructs(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert _old_side(ops) == old
    assert _new_side(ops) == new


@settings(max_examples=100, deadline=None)
@given(text=_texts)
def test_property_self_diff_has_no_changes(text: str) -> None:
    ops = word_diff(text, text)
    assert diff_stats(ops) == (0, 0)
    assert all(op.kind == "equal" for op in ops)
