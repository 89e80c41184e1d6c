"""Frozen Config for watching a target: target, cadence, budgets, limits, auth, TLS.

Precedence: CLI > environment > config file (a small TOML/JSON mapping).
Secrets (tokens, passwords, header values) are held in `Secret`, whose str/repr
are redacted; they are read from files or the environment, never from argv.
Stdlib only.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import json
import os
import sys
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from tui.core import limits
from tui.core.errors import PprofTuiError
from tui.core.masking import secret_forms
from tui.metrics.options import add_metrics_arguments, check_metrics_options

TOKEN_ENV = "PPROF_TUI_TOKEN"
USER_ENV = "PPROF_TUI_USER"
PASSWORD_ENV = "PPROF_TUI_PASSWORD"
REDACTED = "<redacted>"
DEFAULT_BASE_PATH = "/debug/pprof/"


class ConfigError(PprofTuiError):
    """The command line, environment or config file is not usable."""


class Secret:
    """A secret string: never shown by str()/repr()/format(); call reveal() to use it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return REDACTED

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True, slots=True)
class Auth:
    """Extra headers (values secret), bearer token, basic auth."""

    headers: tuple[tuple[str, Secret], ...] = ()
    bearer_token: Secret | None = None
    basic_user: str | None = None
    basic_password: Secret | None = None

    def secrets(self) -> tuple[str, ...]:
        """Every secret value, as given and as sent (basic auth's base64 of user:password, also with an
        empty password), for redaction of error text, recordings, saved bodies, the clipboard: the one
        place that knows what our credentials look like."""
        out = [v.reveal() for _, v in self.headers if v.reveal()]
        if self.bearer_token:
            out.append(self.bearer_token.reveal())
        password = self.basic_password.reveal() if self.basic_password else ""
        if password:
            out.append(password)
        if self.basic_user or password:
            credentials = f"{self.basic_user or ''}:{password}".encode()
            out.append(base64.b64encode(credentials).decode("ascii"))
        return tuple(out)

    def masks(self) -> tuple[bytes, ...]:
        """secrets() as the byte forms masking looks for (tui.core.masking.mask_secrets, mask_text)."""
        return secret_forms(self.secrets())


@dataclass(frozen=True, slots=True)
class TLS:
    cacert: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    insecure: bool = False


@dataclass(frozen=True, slots=True)
class Config:
    """Everything the fetch layer and the poller need. Durations in seconds."""

    target: str = "http://127.0.0.1:6060/debug/pprof/"
    unix_socket: str | None = None
    interval: float = 2.0
    request_timeout: float = 10.0  # overall deadline for a cheap request
    debug2_timeout: float = 60.0  # overall deadline for goroutine?debug=2
    connect_timeout: float = 5.0
    stw_budget: float = 0.01  # share of wall time each costly request may take of the target
    debug2_min_age: float = 10.0
    debug2_max_age: float = 600.0
    heap_every: int = 2  # ticks between heap proto fetches
    memstats_every: int = 1
    goroutine_debug1_every: int = 5  # when the debug=2 tree is stale
    cmdline_every: int = 15
    contention_every: int = 5  # ticks between mutex/block profile fetches (cumulative: the window is the diff)
    cpu: bool = False  # rolling CPU profile windows from the start (else the C key starts them)
    cpu_window: float = 10.0  # seconds of one profile?seconds=N window
    # The service's own numbers (tui/metrics): /metrics on the target's listener (or metrics_url, same
    # host), /debug/vars and /debug/fgprof looked for at start; metric_specs pinned (`--metric`). Off in
    # a bare Config(); build_config (the command line, config files) turns it on unless --no-metrics.
    metrics: bool = False
    metrics_url: str = ""
    metrics_every: int = 5  # ticks between /metrics scrapes (10 s at the default interval)
    metric_specs: tuple[str, ...] = ()
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_body_bytes: int = limits.MAX_BODY_BYTES
    max_decompressed_bytes: int = limits.MAX_DECOMPRESSED_BYTES
    max_goroutines: int = limits.MAX_GOROUTINES  # kept per debug=2 dump; the rest are only counted
    max_stacks: int = limits.MAX_STACKS  # distinct stacks kept per goroutine parse; the rest counted
    max_samples: int = limits.MAX_SAMPLES  # samples kept per heap profile; the rest counted
    max_locations: int = limits.MAX_LOCATIONS  # locations/functions per profile; more is refused
    max_frames: int = limits.MAX_FRAMES  # per stack; deeper frames are counted as elided
    max_text_line: int = limits.MAX_TEXT_LINE  # function names, paths, labels are cut here
    history_points: int = limits.HISTORY_POINTS  # raw points per series
    history_series: int = limits.HISTORY_SERIES
    auth: Auth = field(default_factory=Auth)
    tls: TLS = field(default_factory=TLS)

    @property
    def label(self) -> str:
        """Short display name of the target (no credentials)."""
        if self.unix_socket:
            return f"unix:{self.unix_socket}"
        parts = urllib.parse.urlsplit(self.target)
        return parts.netloc + (parts.path if parts.path != DEFAULT_BASE_PATH else "")


def normalize_target(spec: str) -> str:
    """`host:port`, `http(s)://host:port[/path]` -> base URL ending in '/'.

    Without a path the base is `/debug/pprof/`; a given path is kept (with a
    trailing slash added). Credentials in the URL are refused.
    """
    spec = spec.strip()
    if not spec:
        raise ConfigError("empty target: give host:port or a URL")
    if "://" not in spec:
        spec = "http://" + spec
    parts = urllib.parse.urlsplit(spec)
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"unsupported scheme {parts.scheme!r}: use http or https")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(f"credentials in the target URL are not accepted; use --basic-user and ${PASSWORD_ENV}")
    if not parts.hostname:
        raise ConfigError("target has no host")
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise ConfigError("target port is not a number in 1-65535") from None
    path = parts.path or ""
    if path in ("", "/"):
        path = DEFAULT_BASE_PATH
    elif not path.endswith("/"):
        path += "/"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def parse_header(text: str) -> tuple[str, Secret]:
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not name or any(c in name for c in " \t\r\n"):
        raise ConfigError("--header must look like 'Name: value'")
    if any(c in value for c in "\r\n"):
        raise ConfigError(f"header {name}: value contains a line break")
    return name, Secret(value.strip())


def _read_secret_file(path: str, what: str) -> Secret:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(64 * 1024)
    except OSError as exc:
        raise ConfigError(f"{what} file {path}: {exc.strerror or 'unreadable'}") from None
    except UnicodeDecodeError:  # never quote the bytes: they are a secret
        raise ConfigError(f"{what} file {path} is not UTF-8 text") from None
    value = text.strip()
    if not value:
        raise ConfigError(f"{what} file {path} is empty")
    if "\n" in value:
        raise ConfigError(f"{what} file {path} has more than one line")
    return Secret(value)


def read_header_file(path: str) -> tuple[tuple[str, Secret], ...]:
    """``--header-file``: one 'Name: value' a line (blank lines and '#' comments skipped).

    For secret headers: unlike --header, the value never appears in argv (ps, shell history).
    Errors name the line number, never its text."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(64 * 1024)
    except OSError as exc:
        raise ConfigError(f"header file {path}: {exc.strerror or 'unreadable'}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"header file {path} is not UTF-8 text") from None
    headers = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            headers.append(parse_header(line))
        except ConfigError:
            raise ConfigError(f"header file {path}, line {number}: must look like 'Name: value'") from None
    return tuple(headers)


def load_config_file(path: str) -> dict[str, object]:
    """Read a TOML (Python 3.11+) or JSON config file into a flat mapping."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limits.MiB)
    except OSError as exc:
        raise ConfigError(f"config file {path}: {exc.strerror or 'unreadable'}") from None
    try:
        if path.endswith(".json"):
            data = json.loads(raw.decode("utf-8"))
        elif sys.version_info >= (3, 11):
            import tomllib

            data = tomllib.loads(raw.decode("utf-8"))
        else:
            raise ImportError("tomllib is Python 3.11+")
    except ImportError:
        raise ConfigError("TOML config needs Python 3.11+; use a .json file") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path}: {str(exc).splitlines()[0][:200]}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path}: top level must be a table")
    return data


_NUMERIC = {
    "interval": float,
    "request_timeout": float,
    "debug2_timeout": float,
    "connect_timeout": float,
    "stw_budget": float,
    "debug2_min_age": float,
    "debug2_max_age": float,
    "heap_every": int,
    "memstats_every": int,
    "goroutine_debug1_every": int,
    "cmdline_every": int,
    "contention_every": int,
    "metrics_every": int,
    "cpu_window": float,
    "backoff_base": float,
    "backoff_max": float,
    "max_body_bytes": int,
    "max_decompressed_bytes": int,
    "max_goroutines": int,
    "max_stacks": int,
    "max_samples": int,
    "max_locations": int,
    "max_frames": int,
    "max_text_line": int,
    "history_points": int,
    "history_series": int,
}
_BOUNDS = (
    "max_body_bytes",
    "max_decompressed_bytes",
    "max_goroutines",
    "max_stacks",
    "max_samples",
    "max_locations",
    "max_frames",
    "max_text_line",
    "history_points",
    "history_series",
)
# Bounds on the work of one parse (README "Limits and safety"), each a flag of the same name.
WORK_LIMITS = ("max_goroutines", "max_stacks", "max_samples", "max_locations")
_FILE_KEYS = set(_NUMERIC) | {
    "target",
    "unix_socket",
    "cacert",
    "client_cert",
    "client_key",
    "insecure",
    "token_file",
    "basic_user",
    "password_file",
    "header_file",
    "cpu",
    "metrics",
    "metrics_url",
    "metric_specs",
}


def build_config(
    cli: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    file_values: Mapping[str, object] | None = None,
) -> Config:
    """Merge CLI values (None = not given) > environment > config file > defaults."""
    cli = {k: v for k, v in (cli or {}).items() if v is not None}
    env = os.environ if env is None else env
    fv = dict(file_values or {})
    unknown = set(fv) - _FILE_KEYS
    if unknown:
        raise ConfigError(f"config file: unknown key(s) {', '.join(sorted(unknown))}")
    if "token" in cli or "password" in cli:
        raise ConfigError(f"secrets are not accepted on the command line; use a file or ${TOKEN_ENV}")

    def pick(key: str) -> object | None:
        if key in cli:
            return cli[key]
        return fv.get(key)

    kwargs: dict[str, object] = {}
    if "max_body_mb" in cli:  # --max-body-mb: a friendlier unit for max_body_bytes
        try:
            cli["max_body_bytes"] = int(float(cli.pop("max_body_mb")) * limits.MiB)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            raise ConfigError("--max-body-mb: not a number") from None
    for key, typ in _NUMERIC.items():
        value = pick(key)
        if value is None:
            continue
        try:
            kwargs[key] = typ(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: {value!r} is not a number") from None
    target = pick("target")
    if target is not None:
        kwargs["target"] = normalize_target(str(target))
    unix_socket = pick("unix_socket")
    if unix_socket:
        kwargs["unix_socket"] = str(unix_socket)
        if target is None:
            kwargs["target"] = "http://localhost" + DEFAULT_BASE_PATH

    # auth: token file (cli/file) > env var; basic password file > env var
    token: Secret | None = None
    token_file = pick("token_file")
    if token_file:
        token = _read_secret_file(str(token_file), "token")
    elif env.get(TOKEN_ENV, "").strip():
        token = Secret(env[TOKEN_ENV].strip())
    user = pick("basic_user") or env.get(USER_ENV) or None
    password: Secret | None = None
    password_file = pick("password_file")
    if password_file:
        password = _read_secret_file(str(password_file), "password")
    elif env.get(PASSWORD_ENV):
        password = Secret(env[PASSWORD_ENV])
    if password is not None and not user:
        raise ConfigError(f"a basic-auth password needs a user (--basic-user or ${USER_ENV})")
    if token is not None and user:
        raise ConfigError("choose one of bearer token and basic auth, not both")
    given_headers = cli.get("header") or ()
    if isinstance(given_headers, str) or not isinstance(given_headers, (list, tuple)):
        raise ConfigError("header: expected a list of 'Name: value' strings")
    headers = tuple(parse_header(str(h)) for h in given_headers)
    header_file = pick("header_file")
    if header_file:
        headers += read_header_file(str(header_file))
    kwargs["auth"] = Auth(
        headers=headers, bearer_token=token, basic_user=_given_text(user), basic_password=password if user else None
    )
    cacert, cert, client_key = pick("cacert"), pick("client_cert"), pick("client_key")
    if client_key and not cert:
        raise ConfigError("--client-key needs --client-cert")
    kwargs["tls"] = TLS(
        cacert=_given_text(cacert),
        client_cert=_given_text(cert),
        client_key=_given_text(client_key),
        insecure=bool(pick("insecure")),
    )
    if pick("cpu"):
        kwargs["cpu"] = True
    kwargs["metrics"] = pick("metrics") is not False
    metrics_url = pick("metrics_url")
    if metrics_url:
        kwargs["metrics_url"] = str(metrics_url)
    specs = pick("metric_specs")
    if specs:
        if isinstance(specs, str) or not isinstance(specs, (list, tuple)):
            raise ConfigError("metric_specs: expected a list of 'NAME{label=\"x\"}:p99' strings")
        kwargs["metric_specs"] = tuple(str(x) for x in specs)
    config = Config(**kwargs)  # type: ignore[arg-type]
    validate(config)
    return config


def _given_text(value: object) -> str | None:
    """A CLI/file/env value as text; None when not given (None or empty)."""
    return str(value) if value else None


def validate(config: Config) -> None:
    if config.interval <= 0:
        raise ConfigError("interval must be > 0")
    if not 0 < config.stw_budget < 1:
        raise ConfigError("stw_budget must be between 0 and 1 (e.g. 0.01 for 1%)")
    if config.debug2_min_age > config.debug2_max_age:
        raise ConfigError("debug2_min_age must not exceed debug2_max_age")
    if not 1 <= config.cpu_window <= 600:
        raise ConfigError("cpu_window must be between 1 and 600 seconds")
    for name in (
        "heap_every",
        "memstats_every",
        "goroutine_debug1_every",
        "cmdline_every",
        "contention_every",
        "metrics_every",
    ):
        if getattr(config, name) < 1:
            raise ConfigError(f"{name} must be >= 1")
    for name in _BOUNDS:
        if getattr(config, name) <= 0:
            raise ConfigError(f"{name} must be > 0")
    try:
        check_metrics_options(config.metrics_url, config.target, config.metric_specs)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


class _RefuseSecretOnArgv(argparse.Action):
    """``--token VALUE`` / ``--password VALUE``: refused without echoing the value.

    Also stops argparse from taking ``--token`` as an abbreviation of ``--token-file`` (and then
    printing the secret back as a file name that does not exist).
    """

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        parser.error(
            f"{option_string}: secrets are not accepted on the command line (they show in ps and "
            f"shell history); use --token-file/--password-file PATH or ${TOKEN_ENV}/${PASSWORD_ENV}"
        )


def add_auth_arguments(parser: argparse.ArgumentParser) -> None:
    """Auth/TLS/config-file options and the body limit: what one request to a target needs."""
    g = parser.add_argument_group("connection")
    for flag in ("--token", "--password", "--bearer", "--auth"):
        g.add_argument(flag, nargs="?", action=_RefuseSecretOnArgv, help=argparse.SUPPRESS)
    g.add_argument("--unix-socket", metavar="PATH", help="connect through a unix socket")
    g.add_argument(
        "--header",
        action="append",
        metavar="'K: V'",
        help="extra request header (repeatable; visible in ps: put secret ones in --header-file)",
    )
    g.add_argument("--header-file", metavar="PATH", help="extra request headers, one 'K: V' a line (kept secret)")
    g.add_argument("--token-file", metavar="PATH", help=f"bearer token file (or ${TOKEN_ENV})")
    g.add_argument("--basic-user", metavar="USER", help=f"basic-auth user (or ${USER_ENV})")
    g.add_argument("--password-file", metavar="PATH", help=f"basic-auth password file (or ${PASSWORD_ENV})")
    g.add_argument("--cacert", metavar="PATH", help="CA bundle to verify the target")
    g.add_argument("--client-cert", metavar="PATH", help="TLS client certificate (PEM)")
    g.add_argument("--client-key", metavar="PATH", help="TLS client key (PEM)")
    g.add_argument("--insecure", action="store_true", default=None, help="do not verify TLS certificates")
    g.add_argument("--config", metavar="PATH", help="config file (TOML or JSON)")
    g.add_argument(
        "--timeout",
        dest="request_timeout",
        type=float,
        metavar="SECONDS",
        help="overall deadline per request (default 10)",
    )
    lim = parser.add_argument_group("limits (see README: Limits and safety)")
    lim.add_argument(
        "--max-body-mb",
        type=float,
        metavar="MB",
        help=f"largest answer read from the target (default {limits.MAX_BODY_BYTES // limits.MiB})",
    )


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """Target/auth/TLS/cadence options shared by subcommands that watch a target."""
    add_auth_arguments(parser)
    p = parser.add_argument_group("polling")
    p.add_argument("--interval", type=float, metavar="SECONDS", help="poll interval (default 2)")
    p.add_argument(
        "--stw-budget",
        type=float,
        metavar="FRACTION",
        help="share of wall time each costly request (goroutine dumps, leak checks) may take of the target (default 0.01)",
    )
    p.add_argument(
        "--cpu",
        action="store_true",
        default=None,
        help="watch CPU from the start: rolling profile?seconds=N windows, charged to the budget (key C)",
    )
    p.add_argument("--cpu-window", type=float, metavar="SECONDS", help="seconds of one CPU profile window (default 10)")
    add_metrics_arguments(parser, positive_int)
    p.add_argument(
        "--max-goroutines",
        type=int,
        metavar="N",
        help=f"goroutines kept per debug=2 dump; the rest are counted (default {limits.MAX_GOROUTINES:,})",
    )
    add_work_limit_arguments(parser, ("max_stacks", "max_samples", "max_locations"))


_WORK_LIMIT_HELP = {
    "max_stacks": f"distinct goroutine stacks kept per dump (debug=2, debug=1, proto), with at most "
    f"{limits.FRAMES_PER_STACK}x that many frames; goroutines on other stacks are counted (default "
    f"{limits.MAX_STACKS:,})",
    "max_samples": f"samples kept per heap profile, the first ones; the rest are counted (default {limits.MAX_SAMPLES:,})",
    "max_locations": f"locations, functions and mappings per profile (strings: {limits.TABLE_FACTOR}x); a profile "
    f"with more is refused (default {limits.MAX_LOCATIONS:,})",
}


def positive_int(text: str) -> int:
    """argparse type: a whole number > 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def add_work_limit_arguments(parser: argparse.ArgumentParser, names: tuple[str, ...]) -> None:
    """``--max-stacks`` / ``--max-samples`` / ``--max-locations`` (``names``: their Config fields), in the
    "limits" group when the parser has one. Over a limit a parse keeps the first N and says so."""
    group = next((g for g in parser._action_groups if g.title and g.title.startswith("limits")), None)
    target = group if group is not None else parser.add_argument_group("limits (see README: Limits and safety)")
    for name in names:
        flag = "--" + name.replace("_", "-")
        target.add_argument(flag, dest=name, type=positive_int, metavar="N", help=_WORK_LIMIT_HELP[name])


def with_work_limits(config: Config, args: argparse.Namespace) -> Config:
    """``config`` with the work-limit flags given on the command line (they beat the config file)."""
    given = {k: getattr(args, k) for k in WORK_LIMITS if getattr(args, k, None) is not None}
    if not given:
        return config
    changed = dataclasses.replace(config, **given)
    validate(changed)
    return changed


def config_from_args(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> Config:
    """Build a Config from parsed arguments (needs `target` and the connection options)."""
    cli = {k: v for k, v in vars(args).items() if k in _FILE_KEYS | {"header", "max_body_mb"}}
    path = getattr(args, "config", None)
    file_values = load_config_file(path) if path else None
    return build_config(cli, env, file_values)
