"""The library's keyword tokens: overlapping bigrams per segment, never across a separator; a keyword is looked up by
its bigrams, so it needs two characters in a row."""

from services.library.keywords import (
    keyword_condition,
    keyword_problem,
    keyword_tokens,
    query_tokens,
    stored_keywords,
)
from services.library.labels import MSG_KEYWORD_SHORT


def test_tokens_are_bigrams_within_segments() -> None:
    assert keyword_tokens("轴承座", "0|SKF") == ("kf", "sk", "承座", "轴承")
    assert "座0" not in keyword_tokens("轴承座|0") and keyword_tokens("", "|") == ()


def test_a_keyword_needs_all_its_bigrams() -> None:
    assert query_tokens("轴承") == ["轴承"]
    assert query_tokens("深沟球") == ["沟球", "深沟"]


def test_a_keyword_without_two_characters_in_a_row_is_refused() -> None:
    assert keyword_problem("轴") == keyword_problem("轴 承") == keyword_problem("a|b") == MSG_KEYWORD_SHORT
    assert keyword_problem("轴承") is None and keyword_problem("6205") is None


def test_the_stored_value_and_condition_per_dialect() -> None:
    assert stored_keywords(["a", "ab"], "postgres") == ["a", "ab"]
    assert stored_keywords(["a", "ab"], "sqlite") == " a ab "
    sql, args = keyword_condition("轴承%", "postgres")  # "棉100%": a % is text, not a separator
    assert sql.startswith("keywords @> ?::text[]") and args == [["承%", "轴承"], "%轴承\\%%", "%轴承\\%%"]
    sql, args = keyword_condition("深沟球", "sqlite")
    assert sql.count("keywords LIKE ?") == 2 and args[:2] == ["% 沟球 %", "% 深沟 %"]


def test_a_keyword_that_is_its_own_token_needs_no_like_on_postgresql() -> None:
    """轴承 is one token: the GIN condition alone is exact (and keeps PostgreSQL's estimate honest)."""
    assert keyword_condition("轴承", "postgres") == ("keywords @> ?::text[]", [["轴承"]])
    assert keyword_condition("SKF", "postgres")[0].count("LIKE") == 2  # three letters: two bigrams, LIKE needed
    assert keyword_condition("a_", "sqlite")[0].count("LIKE ? ESCAPE") == 2  # SQLite: the token LIKE is wild
