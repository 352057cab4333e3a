"""Turning user text into FTS5 queries, CJK tokenisation and snippet rendering (no database file)."""

from __future__ import annotations

import random
import sqlite3

import pytest

from msldesk.decks.search import (
    MARK_END,
    MARK_START,
    build_match_query,
    display_snippet,
    index_text,
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("effic", '"effic"*'),
        ("overall survival", '"overall"* AND "survival"*'),
        ('"overall survival" rate', '"overall survival" AND "rate"*'),
        ("anti-PD-1", '"anti PD 1"'),  # a word split by punctuation stays one phrase
        ("公司", '"公 司"'),  # CJK runs are phrases of single characters, never prefixes
        ("公司概览", '"公 司 概 览"'),
        ("HR部门", '"HR 部 门"'),
        ("", ""),
        ("   ", ""),
        ('"" - * ( ) :', ""),  # nothing searchable
    ],
)
def test_build_match_query(query: str, expected: str) -> None:
    assert build_match_query(query) == expected


def test_index_text_separates_cjk_characters_only() -> None:
    assert index_text("") == ""
    assert index_text("Résumé 2026") == "Résumé 2026"
    assert index_text("我是HR").split() == ["我", "是", "HR"]
    assert index_text("テスト").split() == ["テ", "ス", "ト"]
    assert index_text("한국어").split() == ["한", "국", "어"]


@pytest.fixture
def fts() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO t(body) VALUES (?)", (index_text("efficacy data AND OR NOT near"),))
    return db


NASTY = [
    "NOT efficacy",
    "efficacy OR",
    "AND",
    "NEAR(a b)",
    "a:b",
    "body:efficacy",
    "^efficacy",
    "effic*",
    '"unbalanced',
    'a"b"c',
    "(((",
    "{body}: x",
    "c++",
    "50%",
    "'single'",
    "\x00",
    "résumé",
    "\u200b",
    "e" * 5000,
]


@pytest.mark.parametrize("query", NASTY)
def test_user_text_never_breaks_the_match_syntax(fts: sqlite3.Connection, query: str) -> None:
    match = build_match_query(query)
    if match:
        fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (match,)).fetchall()


def test_random_text_never_breaks_the_match_syntax(fts: sqlite3.Connection) -> None:
    rng = random.Random(7)
    alphabet = "abcXYZ 0129\"*()-+:^{},.;'\\/ éü公司テス한\t\n"
    for _ in range(2000):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25)))
        match = build_match_query(query)
        if match:
            fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (match,)).fetchall()


def test_operators_are_searched_as_words(fts: sqlite3.Connection) -> None:
    rows = fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (build_match_query("AND OR NOT"),)).fetchall()
    assert rows == [(1,)]


def test_snippet_is_escaped_html_with_bold_matches() -> None:
    raw = f"dose <10 mg & {MARK_START}efficacy{MARK_END} > placebo"
    assert display_snippet(raw) == "dose &lt;10 mg &amp; <b>efficacy</b> &gt; placebo"


def test_snippet_hides_the_cjk_token_spacing() -> None:
    raw = index_text("我们是一家专注于企业数字化转型的科技公司")
    marked = raw.replace(" 科 ", f" {MARK_START}科{MARK_END} ").replace(" 技 ", f" {MARK_START}技{MARK_END} ")
    shown = display_snippet(marked)
    assert shown.replace("<b>", "").replace("</b>", "") == "我们是一家专注于企业数字化转型的科技公司"
    assert "<b>科</b><b>技</b>" in shown


def test_snippet_keeps_spaces_between_latin_words_and_cjk() -> None:
    shown = display_snippet(index_text("AI 产品深耕 and more"))
    assert shown == "AI 产品深耕 and more"
