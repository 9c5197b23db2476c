"""The identity_provider section: off by default, checked when on, its secret only from the environment, and
never the simulators together with a real provider's credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import PROJECT_ROOT, ConfigError, load_settings

ON = {"QINGLING_IDENTITY_PROVIDER_ENABLED": "true", "QINGLING_IDENTITY_PROVIDER_ISSUER": "https://sso.example.cn/oidc",
      "QINGLING_IDENTITY_PROVIDER_CLIENT_ID": "qingling"}


def test_committed_config_has_it_off() -> None:
    idp = load_settings(PROJECT_ROOT / "config.yaml", {}).identity_provider
    assert not idp.enabled and idp.redirect_path == "/h5/central/callback" and "openid" in idp.scopes


def test_on_with_a_secret_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("identity_provider:\n  scopes: [openid, profile]\n", encoding="utf-8")
    settings = load_settings(path, ON | {"QINGLING_IDENTITY_PROVIDER_CLIENT_SECRET": "client: #secret-1"})
    assert settings.identity_provider.client_secret == "client: #secret-1"
    assert "secret-1" not in repr(settings)
    assert settings.identity_provider.scopes == ("openid", "profile")


@pytest.mark.parametrize(("changes", "key"), [
    ({"QINGLING_IDENTITY_PROVIDER_ISSUER": "sso.example.cn"}, "identity_provider.issuer"),
    ({"QINGLING_IDENTITY_PROVIDER_CLIENT_ID": ""}, "identity_provider.client_id"),
    ({"QINGLING_IDENTITY_PROVIDER_SCOPES": "[profile]"}, "identity_provider.scopes"),
    ({"QINGLING_IDENTITY_PROVIDER_REDIRECT_PATH": "//evil.example.cn/cb"}, "identity_provider.redirect_path"),
    ({"QINGLING_IDENTITY_PROVIDER_TIMEOUT_SECONDS": "0"}, "identity_provider.timeout_seconds"),
])
def test_bad_values_name_their_key(tmp_path: Path, changes: dict[str, str], key: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("{}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_settings(path, ON | changes)


def test_the_secret_is_refused_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("identity_provider:\n  client_secret: abc\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="QINGLING_IDENTITY_PROVIDER_CLIENT_SECRET"):
        load_settings(path, {})


def test_simulators_refuse_a_real_provider_with_credentials(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("simulators:\n  enabled: true\n", encoding="utf-8")
    secret = {"QINGLING_IDENTITY_PROVIDER_CLIENT_SECRET": "real-secret"}
    with pytest.raises(ConfigError, match="simulators.enabled"):
        load_settings(path, ON | secret)
    simulated = ON | secret | {"QINGLING_IDENTITY_PROVIDER_ISSUER": "http://127.0.0.1:8000/sim/idp"}
    assert load_settings(path, simulated).identity_provider.enabled
