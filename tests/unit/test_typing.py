"""The pure lifecycle is checked by mypy in strict mode (STYLE.md: domain rules are typed)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_lifecycle_is_strictly_typed() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "models/lifecycle.py"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
