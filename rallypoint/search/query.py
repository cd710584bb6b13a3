"""What a person types, turned into a full-text query that cannot be a syntax error.

The grammar is small on purpose: words (every word must match), ``"a phrase"``, and
``#hashtag`` (matches the hashtag only, not the bare word). The last word also matches
as a prefix, so results follow typing. Everything else — operators, brackets, ``*``,
``NEAR``, ``-`` — is punctuation and only separates words.

Words are cut to letters and digits here, then each is quoted for the database
(``"word"`` for SQLite FTS5, ``'word'`` for PostgreSQL's ``to_tsquery``): a quote,
backslash or colon can never reach the database's query parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_LENGTH = 500
MAX_TERMS = 12
MAX_WORDS_PER_TERM = 8
# PostgreSQL refuses longer words in a query; no real word is this long.
MAX_WORD_LENGTH = 100

_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"?|(?<![\w#])#(?P<tag>\w+)|(?P<word>[^\W_]+)')


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    hashtag: bool = False
    prefix: bool = False


def _words(text: str) -> tuple[str, ...]:
    return tuple(word[:MAX_WORD_LENGTH] for word in _WORD.findall(text.lower()))


def parse(text: str) -> list[Term]:
    """The terms of ``text`` (empty when nothing searchable is left)."""
    text = (text or "").replace("\x00", " ")[:MAX_QUERY_LENGTH]
    terms: list[Term] = []
    last_word_end = -1
    for match in _TOKEN.finditer(text):
        if match["phrase"] is not None:
            words = tuple(_words(match["phrase"]))[:MAX_WORDS_PER_TERM]
            if words:
                terms.append(Term(words=words))
        elif match["tag"] is not None:
            words = tuple(_words(match["tag"]))[:MAX_WORDS_PER_TERM]
            if words:
                terms.append(Term(words=words, hashtag=True))
        else:
            terms.append(Term(words=_words(match["word"])))
            last_word_end = match.end()
        if len(terms) >= MAX_TERMS:
            break
    if terms and last_word_end == len(text) and len(terms[-1].words) == 1:
        # Typing "launc" finds "launch". A finished word (followed by a space or
        # punctuation), a phrase and a hashtag match exactly.
        terms[-1] = Term(words=terms[-1].words, prefix=True)
    return terms


def to_fts5(terms: list[Term]) -> str:
    """An FTS5 MATCH expression: every term quoted, terms ANDed."""
    parts = []
    for term in terms:
        phrase = '"' + " ".join(term.words) + '"'
        if term.hashtag:
            parts.append(f"tags : {phrase}")
        elif term.prefix:
            parts.append(f"{phrase} *")
        else:
            parts.append(phrase)
    return " AND ".join(parts)


def to_tsquery(terms: list[Term]) -> str:
    """A PostgreSQL ``to_tsquery`` text: lexemes quoted, a phrase with ``<->``, a
    hashtag restricted to the weight of the hashtags (C), terms ANDed."""
    parts = []
    for term in terms:
        suffix = ":C" if term.hashtag else (":*" if term.prefix else "")
        lexemes = [f"'{word}'{suffix}" for word in term.words]
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)
