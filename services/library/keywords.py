"""The keyword search of 品名 / 规格型号: every row stores its overlapping character bigrams
(``library_row.keywords``, see migrations 0020 and 0031), and a keyword is looked up by its own bigrams — so a
keyword needs two characters in a row (``keyword_problem``).

On PostgreSQL the column is ``text[]`` (collation "C": the index compares bytes) with a GIN index:
``keywords @> ARRAY[the keyword's bigrams]`` finds the candidate rows from the index (a two-character Chinese word
is one bigram: 轴承), and a ``LIKE`` on the two texts keeps only the rows holding the keyword as written (bigrams
of 轴承座 are also in 座轴承). On SQLite the column holds the tokens between spaces and the rows are scanned. Tokens
are lower case; separators (white space, ``|``, ``;`` …) split a text, so no token spans two declaration elements.
Single characters are not stored: they doubled the index an upload writes, and a one-character search finds
too much to be useful.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from services.library.labels import MSG_KEYWORD_SHORT

_SEPARATORS = re.compile(r"[\s|;；,，:：/、()（）\[\]【】]+")


@lru_cache(maxsize=16384)
def keyword_tokens(*texts: str) -> tuple[str, ...]:
    """The sorted distinct overlapping bigrams of the texts' segments (computed once per distinct texts: an upload
    repeats the same goods and specifications on many rows)."""
    tokens: set[str] = set()
    for text in texts:
        for segment in _SEPARATORS.split(text.lower()):
            tokens.update(segment[i:i + 2] for i in range(len(segment) - 1))
    return tuple(sorted(tokens))


def keyword_problem(keyword: str) -> str | None:
    """Why a keyword cannot be searched for: it has no two characters in a row (separators do not count)."""
    return None if keyword_tokens(keyword) else MSG_KEYWORD_SHORT


def query_tokens(keyword: str) -> list[str]:
    """What a keyword must find among a row's tokens: its bigrams."""
    return list(keyword_tokens(keyword))


def stored_keywords(tokens: Sequence[str], dialect: str) -> list[str] | str:
    """The column's value: a list on PostgreSQL, the tokens between spaces on SQLite."""
    return list(tokens) if dialect == "postgres" else " " + " ".join(tokens) + " "


def keyword_condition(keyword: str, dialect: str) -> tuple[str, list[object]]:
    """The SQL condition (``?`` placeholders, columns of ``library_row``) and its arguments for a keyword.

    On PostgreSQL a keyword that is its own one token (two characters, no separator: 轴承) is found by the
    token alone — a row holds the token exactly when a text holds the keyword — so no ``LIKE`` is added: it would change
    nothing but PostgreSQL's row estimate (a ``LIKE '%…%'`` is guessed rare), making the planner read every
    candidate and sort it instead of walking the date index to the first page."""
    like = "%" + keyword.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    tokens = query_tokens(keyword)
    exact = dialect == "postgres" and tokens == [keyword.lower()]  # SQLite's LIKE on tokens: _ and % are wild
    text = [] if exact else ["(LOWER(goods_name) LIKE ? ESCAPE '\\' OR LOWER(model_spec) LIKE ? ESCAPE '\\')"]
    likes: list[object] = [] if exact else [like, like]
    if dialect == "postgres":
        return " AND ".join(["keywords @> ?::text[]", *text]), [tokens, *likes]
    found = ["keywords LIKE ?" for _ in tokens]
    args: list[object] = [f"% {t} %" for t in tokens]
    return " AND ".join([*found, *text]), [*args, *likes]
