"""The library's keyword tokens: single characters and overlapping bigrams per segment, never across a separator;
a keyword is looked up by its bigrams (its one character when it has one)."""

from services.library.keywords import keyword_condition, keyword_tokens, query_tokens, stored_keywords


def test_tokens_are_characters_and_bigrams_within_segments() -> None:
    assert keyword_tokens("轴承座", "0|SKF") == tuple(sorted(
        {"轴", "承", "座", "轴承", "承座", "0", "s", "k", "f", "sk", "kf"}))
    assert "座0" not in keyword_tokens("轴承座|0") and keyword_tokens("", "|") == ()


def test_a_keyword_needs_all_its_bigrams() -> None:
    assert query_tokens("轴承") == ["轴承"]
    assert query_tokens("深沟球") == ["沟球", "深沟"]
    assert query_tokens("轴") == ["轴"]


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
