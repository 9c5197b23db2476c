"""Settings: config.yaml + QINGLING_<SECTION>_<KEY> overrides, validated with one-line errors.

Pure: every test passes its own ``environ`` dict and writes its YAML files under tmp_path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import PROJECT_ROOT, ConfigError, Settings, load_settings

COMMITTED = PROJECT_ROOT / "config.yaml"
SECRET = "s3cret: #not-yaml-0123456789"  # ": " and " #" would be mangled if parsed as YAML


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path, environ: dict[str, str]) -> str:
    """The message of the ConfigError ``load_settings`` raises; it must be a single line."""
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ)
    message = str(caught.value)
    assert message and "\n" not in message, message
    return message


def test_committed_config_loads_with_the_documented_defaults() -> None:
    settings = load_settings(COMMITTED, {})

    assert settings.server.port == 8000
    assert settings.cache.url == ""
    assert settings.database.url.startswith("sqlite://")
    assert settings.lifecycle.auto_close_days == 7
    assert settings.lifecycle.reminder_days_before == (2,)
    assert settings.security.secret_key is None
    defaults = Settings()  # the file documents exactly the code defaults
    for section in ("server", "database", "cache", "lifecycle", "scheduler", "logging", "security"):
        assert getattr(settings, section) == getattr(defaults, section), section


def test_config_path_can_come_from_qingling_config(tmp_path: Path) -> None:
    path = write(tmp_path, "server: {port: 8100}\n")

    assert load_settings(None, {"QINGLING_CONFIG": str(path)}).server.port == 8100


@pytest.mark.parametrize(
    ("name", "value", "section", "key", "expected"),
    [
        ("QINGLING_SERVER_PORT", "9000", "server", "port", 9000),
        ("QINGLING_SERVER_EMBEDDED_WORKER", "false", "server", "embedded_worker", False),
        ("QINGLING_SERVER_HOST", "::", "server", "host", "::"),
        (
            "QINGLING_DATABASE_URL",
            "postgres://app:pw@db:5432/qingling",
            "database",
            "url",
            "postgres://app:pw@db:5432/qingling",
        ),
        ("QINGLING_CACHE_URL", "redis://cache:6379/1", "cache", "url", "redis://cache:6379/1"),
        ("QINGLING_CACHE_PREFIX", "staging:", "cache", "prefix", "staging:"),
        ("QINGLING_LIFECYCLE_REMINDER_DAYS_BEFORE", "[3, 1]", "lifecycle", "reminder_days_before", (3, 1)),
        (
            "QINGLING_LIFECYCLE_EVALUATION_NOTE_REQUIRED",
            "{1: never, 2: always, 3: always, 4: always}",
            "lifecycle",
            "evaluation_note_required",
            {1: "never", 2: "always", 3: "always", 4: "always"},
        ),
    ],
)
def test_environment_overrides_a_key(name: str, value: str, section: str, key: str, expected: object) -> None:
    default = getattr(getattr(load_settings(COMMITTED, {}), section), key)
    assert default != expected

    settings = load_settings(COMMITTED, {name: value})

    assert getattr(getattr(settings, section), key) == expected


def test_environment_wins_over_the_file_which_wins_over_the_default(tmp_path: Path) -> None:
    path = write(tmp_path, "server: {port: 8100, workers: 4}\n")

    settings = load_settings(path, {"QINGLING_SERVER_PORT": "9000"})

    assert (settings.server.port, settings.server.workers, settings.server.host) == (9000, 4, "127.0.0.1")


@pytest.mark.parametrize(
    ("yaml_text", "environ", "key"),
    [
        ("", {"QINGLING_SERVER_PORT": "abc"}, "server.port"),
        ("server: {port: abc}\n", {}, "server.port"),
        ("", {"QINGLING_SERVER_PORT": "70000"}, "server.port"),
        ("", {"QINGLING_SERVER_EMBEDDED_WORKER": "maybe"}, "server.embedded_worker"),
        ("", {"QINGLING_CACHE_URL": "memcached://cache:11211"}, "cache.url"),
        ("", {"QINGLING_CACHE_MAX_CONNECTIONS": "0"}, "cache.max_connections"),
        ("", {"QINGLING_CACHE_POOL_TIMEOUT_MS": "5000"}, "cache.pool_timeout_ms"),  # past WeChat's 5 s
        ("", {"QINGLING_CACHE_SOCKET_TIMEOUT_MS": "5"}, "cache.socket_timeout_ms"),
        ("servre: {port: 8000}\n", {}, "servre"),
        ("server: {prot: 8000}\n", {}, "server.prot"),
        ("", {"QINGLING_LIFECYCLE_TIMEZONE": "Mars/Olympus_Mons"}, "lifecycle.timezone"),
        ("", {"QINGLING_LIFECYCLE_TIMEZONE": "Asia"}, "lifecycle.timezone"),  # a tz directory, not a zone
        ("", {"QINGLING_LIFECYCLE_REMINDER_DAYS_BEFORE": "[2, 7]"}, "lifecycle.reminder_days_before"),
        (
            "lifecycle: {auto_close_days: 3, reminder_days_before: [5]}\n",
            {},
            "lifecycle.reminder_days_before",
        ),
        ("", {"QINGLING_LIFECYCLE_REMINDER_DAYS_BEFORE": "2"}, "lifecycle.reminder_days_before"),
        (
            "",
            {"QINGLING_LIFECYCLE_EVALUATION_NOTE_REQUIRED": "{1: never, 2: always, 3: sometimes, 4: always}"},
            "lifecycle.evaluation_note_required",
        ),
        (
            "",
            {"QINGLING_LIFECYCLE_EVALUATION_NOTE_REQUIRED": "{1: never, 2: always}"},
            "lifecycle.evaluation_note_required",
        ),
    ],
)
def test_a_bad_value_is_refused_with_one_line_naming_the_key(
    tmp_path: Path, yaml_text: str, environ: dict[str, str], key: str
) -> None:
    assert key in config_error(write(tmp_path, yaml_text), environ)


@pytest.mark.parametrize(
    "yaml_text",
    ["server: [port: 8000\n", "server:\n  port: 8000\n bad indent: 1\n", "- server\n- cache\n"],
    ids=["unclosed", "indentation", "not-a-mapping"],
)
def test_a_bad_yaml_file_is_refused_naming_the_file(tmp_path: Path, yaml_text: str) -> None:
    path = write(tmp_path, yaml_text)

    assert str(path) in config_error(path, {})


def test_a_missing_or_unreadable_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert str(missing) in config_error(missing, {})
    assert str(tmp_path) in config_error(tmp_path, {})  # a directory
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert str(binary) in config_error(binary, {})


def test_a_secret_written_in_the_file_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = write(tmp_path, "security:\n  secret_key: 'written-in-the-file-0123456789'\n")

    message = config_error(path, {})

    assert "security.secret_key" in message
    assert "QINGLING_SECURITY_SECRET_KEY" in message
    assert "written-in-the-file" not in message


def test_a_secret_from_the_environment_is_taken_verbatim_and_never_shown() -> None:
    settings = load_settings(COMMITTED, {"QINGLING_SECURITY_SECRET_KEY": SECRET})

    assert settings.security.secret_key == SECRET
    assert SECRET not in repr(settings)
    assert "0123456789" not in repr(settings)


def test_a_too_short_secret_is_refused_without_echoing_it() -> None:
    message = config_error(COMMITTED, {"QINGLING_SECURITY_SECRET_KEY": "short-pw"})

    assert "security.secret_key" in message
    assert "short-pw" not in message


def test_override_replaces_only_the_given_keys() -> None:
    settings = load_settings(COMMITTED, {})

    changed = settings.override(server={"port": 9001}, cache={"url": "redis://cache:6379/0"})

    assert (changed.server.port, changed.server.host) == (9001, settings.server.host)
    assert (changed.cache.url, changed.cache.prefix) == ("redis://cache:6379/0", settings.cache.prefix)
    assert changed.lifecycle == settings.lifecycle
    assert (settings.server.port, settings.cache.url) == (8000, "")  # the original is untouched


def test_wechat_secrets_come_from_the_environment_and_are_checked(tmp_path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("wechat:\n  app_id: wx123\n", encoding="utf-8")
    env = {"QINGLING_WECHAT_TOKEN": "qinglingtoken", "QINGLING_WECHAT_ENCODING_AES_KEY": "a" * 43,
           "QINGLING_WECHAT_APP_SECRET": "s" * 32}
    settings = load_settings(path, env)
    assert settings.wechat.token == "qinglingtoken" and "s" * 32 not in repr(settings)
    with pytest.raises(ConfigError, match="wechat.encoding_aes_key"):
        load_settings(path, env | {"QINGLING_WECHAT_ENCODING_AES_KEY": "short"})
    with pytest.raises(ConfigError, match="wechat.token"):
        load_settings(path, env | {"QINGLING_WECHAT_TOKEN": "x"})
    path.write_text("wechat:\n  token: abcdef\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="QINGLING_WECHAT_TOKEN"):
        load_settings(path, {})


def test_simulators_refuse_real_wechat_credentials(tmp_path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("simulators:\n  enabled: true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="simulators.enabled"):
        load_settings(path, {"QINGLING_WECHAT_APP_SECRET": "s" * 32})
    local = {"QINGLING_WECHAT_APP_SECRET": "s" * 32, "QINGLING_WECHAT_API_BASE": "http://127.0.0.1:8000/sim/wechat"}
    assert load_settings(path, local).simulators.enabled


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "http://127.0.0.1:8000"),
    ({"QINGLING_SERVER_PORT": "9000"}, "http://127.0.0.1:9000"),
    ({"QINGLING_SERVER_HOST": "0.0.0.0", "QINGLING_SERVER_PORT": "9001"}, "http://127.0.0.1:9001"),
    ({"QINGLING_SERVER_HOST": "::1"}, "http://[::1]:8000"),
    ({"QINGLING_SERVER_PORT": "9000", "QINGLING_SERVER_PUBLIC_URL": "https://qingling.example.cn"},
     "https://qingling.example.cn"),
])
def test_the_public_url_follows_host_and_port_unless_set(environ: dict[str, str], expected: str) -> None:
    assert load_settings(COMMITTED, environ).server.public_url == expected


def test_an_override_of_the_port_moves_a_derived_public_url_only() -> None:
    assert Settings().override(server={"port": 9002}).server.public_url == "http://127.0.0.1:9002"
    configured = Settings().override(server={"public_url": "https://qingling.example.cn"})
    assert configured.override(server={"port": 9002}).server.public_url == "https://qingling.example.cn"


def test_a_preset_sits_under_the_environment_and_forced_values_over_it() -> None:
    environ = {"QINGLING_WECHAT_APP_ID": "wx_from_env", "QINGLING_DATABASE_URL": "postgres://db/qingling"}
    settings = load_settings(COMMITTED, environ,
                             preset={"wechat": {"app_id": "wx_preset", "token": "presetToken1"}},
                             forced={"database": {"url": "sqlite://var/demo.sqlite3"}})
    assert settings.wechat.app_id == "wx_from_env"  # the environment wins over a preset
    assert settings.wechat.token == "presetToken1"  # a preset may hold a secret
    assert settings.database.url == "sqlite://var/demo.sqlite3"  # forced wins over the environment
    with pytest.raises(ConfigError, match="wechat.token"):
        load_settings(COMMITTED, {}, preset={"wechat": {"token": "x"}})  # and is checked like any value
