"""The README's lifecycle diagram is the one the transition table generates."""

from pathlib import Path

from models.lifecycle import mermaid

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_diagram_is_current() -> None:
    assert f"```mermaid\n{mermaid()}```" in README.read_text(encoding="utf-8"), (
        "README.md's diagram is stale: paste the output of models.lifecycle.mermaid()"
    )
