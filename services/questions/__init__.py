"""Question clearing (问题清零, after the Liaoning and Nanjing systems' manuals): asking, the executive's review,
customs handling, evaluation, auto-close, views and exports."""
