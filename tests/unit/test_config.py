import argparse
import json

import pytest

from tui.config import (
    Config,
    ConfigError,
    Secret,
    add_connection_arguments,
    build_config,
    config_from_args,
    normalize_target,
)


@pytest.mark.parametrize(
    "spec,base",
    [
        ("127.0.0.1:6060", "http://127.0.0.1:6060/debug/pprof/"),
        ("localhost:6060/", "http://localhost:6060/debug/pprof/"),
        ("http://h:80", "http://h:80/debug/pprof/"),
        ("https://h:8443", "https://h:8443/debug/pprof/"),
        ("https://h/app/debug/pprof/", "https://h/app/debug/pprof/"),
        ("https://h/app/debug/pprof", "https://h/app/debug/pprof/"),
        ("[::1]:6060", "http://[::1]:6060/debug/pprof/"),
    ],
)
def test_normalize_target(spec, base):
    assert normalize_target(spec) == base


@pytest.mark.parametrize(
    "spec,msg",
    [
        ("", "empty"),
        ("ftp://h:21", "scheme"),
        ("http://user:pw@h:6060", "credentials"),
        ("h:notaport", "port"),
        ("http://:6060", "no host"),
    ],
)
def test_bad_targets(spec, msg):
    with pytest.raises(ConfigError, match=msg):
        normalize_target(spec)


def test_credentials_in_url_never_echoed():
    with pytest.raises(ConfigError) as info:
        normalize_target("http://admin:hunter2secret@h:6060")
    assert "hunter2secret" not in str(info.value)


def test_precedence_cli_over_file_and_defaults():
    cfg = build_config({"target": "h:1", "interval": 5}, env={}, file_values={"interval": 3, "stw_budget": 0.02})
    assert cfg.interval == 5.0
    assert cfg.stw_budget == 0.02
    assert cfg.debug2_min_age == Config().debug2_min_age


def test_unknown_file_key_is_refused():
    with pytest.raises(ConfigError, match="unknown key"):
        build_config({}, env={}, file_values={"token": "x"})


def test_token_from_env_and_file(tmp_path):
    cfg = build_config({"target": "h:1"}, env={"PPROF_TUI_TOKEN": " envtok "})
    assert cfg.auth.bearer_token.reveal() == "envtok"
    f = tmp_path / "tok"
    f.write_text("filetok\n")
    cfg = build_config({"target": "h:1", "token_file": str(f)}, env={"PPROF_TUI_TOKEN": "envtok"})
    assert cfg.auth.bearer_token.reveal() == "filetok"


def test_token_file_problems(tmp_path):
    with pytest.raises(ConfigError, match="token file"):
        build_config({"token_file": str(tmp_path / "missing")}, env={})
    (tmp_path / "empty").write_text("")
    with pytest.raises(ConfigError, match="empty"):
        build_config({"token_file": str(tmp_path / "empty")}, env={})


def test_secrets_not_accepted_on_cli():
    with pytest.raises(ConfigError, match="command line"):
        build_config({"token": "abc"}, env={})


def test_basic_auth_needs_user_and_excludes_token():
    with pytest.raises(ConfigError, match="needs a user"):
        build_config({}, env={"PPROF_TUI_PASSWORD": "pw"})
    cfg = build_config({"basic_user": "bob"}, env={"PPROF_TUI_PASSWORD": "pw"})
    assert cfg.auth.basic_user == "bob" and cfg.auth.basic_password.reveal() == "pw"
    with pytest.raises(ConfigError, match="not both"):
        build_config({"basic_user": "bob"}, env={"PPROF_TUI_TOKEN": "t"})


def test_repr_and_str_redact_every_secret(tmp_path):
    cfg = build_config(
        {"target": "h:1", "header": ["X-Api-Key: planted-header-value"], "basic_user": "u"},
        env={"PPROF_TUI_PASSWORD": "planted-password"},
    )
    text = repr(cfg) + str(cfg) + f"{cfg}" + repr(cfg.auth)
    assert "planted-header-value" not in text
    assert "planted-password" not in text
    assert "<redacted>" in text
    cfg2 = build_config({"target": "h:1"}, env={"PPROF_TUI_TOKEN": "planted-token"})
    assert "planted-token" not in repr(cfg2)
    assert f"{Secret('abc')}" == "<redacted>"


@pytest.mark.parametrize("header", ["NoColon", ": v", "Bad Name: v", "X: a\r\nInjected: 1"])
def test_bad_headers(header):
    with pytest.raises(ConfigError):
        build_config({"header": [header]}, env={})


def test_validation():
    with pytest.raises(ConfigError, match="interval"):
        build_config({"interval": 0}, env={})
    with pytest.raises(ConfigError, match="stw_budget"):
        build_config({"stw_budget": 5}, env={})
    with pytest.raises(ConfigError, match="not a number"):
        build_config({"interval": "fast"}, env={})
    with pytest.raises(ConfigError, match="client-cert"):
        build_config({"client_key": "k.pem"}, env={})


def test_unix_socket_gets_a_placeholder_host():
    cfg = build_config({"unix_socket": "/tmp/x.sock"}, env={})
    assert cfg.unix_socket == "/tmp/x.sock"
    assert cfg.target.endswith("/debug/pprof/")
    assert cfg.label == "unix:/tmp/x.sock"


def test_argparse_roundtrip(tmp_path):
    conf = tmp_path / "c.json"
    conf.write_text(json.dumps({"interval": 7, "cmdline_every": 3}))
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    add_connection_arguments(parser)
    args = parser.parse_args(["h:6060", "--header", "A: b", "--stw-budget", "0.05", "--config", str(conf)])
    cfg = config_from_args(args, env={})
    assert cfg.target == "http://h:6060/debug/pprof/"
    assert cfg.stw_budget == 0.05 and cfg.interval == 7 and cfg.cmdline_every == 3
    assert cfg.auth.headers[0][0] == "A" and cfg.auth.headers[0][1].reveal() == "b"
    assert not cfg.tls.insecure


def test_bad_config_file(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text("{nope")
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    add_connection_arguments(parser)
    with pytest.raises(ConfigError, match="config file"):
        config_from_args(parser.parse_args(["h:1", "--config", str(bad)]), env={})


def test_auth_secrets_are_every_form_we_send_in_one_place():
    """Auth.secrets() is the one owner: the client, the recorder, saves and the clipboard mask its forms."""
    import base64

    from tui.config import Auth, Secret

    auth = Auth(headers=(("X-Key", Secret("hdr-value-1")),), bearer_token=Secret("tok-value-2"), basic_user="u")
    sent = base64.b64encode(b"u:").decode()
    assert auth.secrets() == ("hdr-value-1", "tok-value-2", sent)  # basic auth with an empty password is still sent
    auth = Auth(basic_user="u", basic_password=Secret("pw-value-3"))
    assert auth.secrets() == ("pw-value-3", base64.b64encode(b"u:pw-value-3").decode())
    from tui.core.masking import secret_forms

    assert auth.masks() == secret_forms(auth.secrets()) and {s.encode() for s in auth.secrets()} <= set(auth.masks())
    assert Auth().secrets() == () and Auth().masks() == ()
