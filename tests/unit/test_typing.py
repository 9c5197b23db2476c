"""models/ and services/ are checked by mypy in strict mode (domain rules and use cases are typed).

One mypy run over both packages, the pure lifecycle included; its cache lives in the repository's .mypy_cache,
so a rerun checks only what changed.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_models_and_services_are_strictly_typed() -> None:
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(ROOT / ".mypy_cache"),
               "--no-error-summary", "models", "services"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
