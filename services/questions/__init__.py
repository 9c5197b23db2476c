"""Question clearing (seeds 000/001): asking, the executive's review, customs handling, evaluation,
auto-close, views and exports."""
