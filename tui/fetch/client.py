"""One httpx.AsyncClient per target: bounded streamed bodies, overall deadlines, typed errors."""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
import urllib.parse
from collections.abc import Mapping

import httpx

from tui.config import Config
from tui.core.errors import LimitExceeded, ParseError
from tui.core.gunzip import gunzip_layers
from tui.core.masking import mask_secrets
from tui.core.textsafe import clean_bytes
from tui.fetch import validate
from tui.fetch.errors import (
    BadGzip,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotFound,
    NotPprof,
    ServerError,
    TooLarge,
    Unauthorized,
    Unreachable,
    redact,
)
from tui.fetch.fetcher import FetchResult
from tui.model import catalog
from tui.model.catalog import endpoint_key

METRICS_PATH = "/metrics"  # the service's Prometheus page (tui/metrics); `--metrics URL` replaces it

# httpcore's DEBUG traces print every response header, and a target (or a proxy) may echo our
# Authorization header back in one: never let them through, whatever the root log level.
logging.getLogger("httpcore").setLevel(logging.INFO)


def build_ssl_context(config: Config) -> ssl.SSLContext:
    tls = config.tls
    try:
        ctx = ssl.create_default_context(cafile=tls.cacert) if tls.cacert else ssl.create_default_context()
        if tls.client_cert:
            ctx.load_cert_chain(tls.client_cert, tls.client_key)
    except (OSError, ssl.SSLError) as exc:
        raise FetchError(f"TLS setup: {getattr(exc, 'strerror', None) or exc}") from None
    if tls.insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def build_headers(config: Config) -> dict[str, str]:
    headers = {"User-Agent": "pprof-tui", "Accept-Encoding": "gzip"}
    for name, value in config.auth.headers:
        headers[name] = value.reveal()
    if config.auth.bearer_token:
        headers["Authorization"] = "Bearer " + config.auth.bearer_token.reveal()
    return headers


class _Redirected(Exception):
    """A 3xx answer, raised from the response hook: before httpx parses its Location (which a
    hostile target may fill with control characters httpx refuses as a protocol error)."""

    def __init__(self, location: str) -> None:
        super().__init__("redirected")
        self.location = location


async def _refuse_redirects(response: httpx.Response) -> None:
    if 300 <= response.status_code < 400:
        raise _Redirected(response.headers.get("location", ""))


class TargetClient:
    """Talks to one target. Use as `async with TargetClient(config) as c: await c.get("heap")`."""

    def __init__(self, config: Config, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self.base = config.target
        self._secrets = config.auth.secrets()
        self._masks = config.auth.masks()
        auth = None
        if config.auth.basic_user:
            password = config.auth.basic_password.reveal() if config.auth.basic_password else ""
            auth = httpx.BasicAuth(config.auth.basic_user, password)
        verify: ssl.SSLContext | bool = True
        if config.target.startswith("https:") or config.tls.cacert or config.tls.client_cert:
            verify = build_ssl_context(config)
        if transport is None and config.unix_socket:
            transport = httpx.AsyncHTTPTransport(uds=config.unix_socket, verify=verify)
        timeout = httpx.Timeout(config.request_timeout, connect=config.connect_timeout)
        self._client = httpx.AsyncClient(
            headers=build_headers(config),
            auth=auth,
            verify=verify,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            event_hooks={"response": [_refuse_redirects]},
        )

    async def __aenter__(self) -> TargetClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    @property
    def closed(self) -> bool:
        return self._client.is_closed

    def url_of(self, path: str) -> str:
        """A pprof path is relative to the base (`heap`); one starting with "/" to the target's origin
        (`/metrics`, `/debug/vars`: the service's own endpoints beside /debug/pprof/), and `/metrics`
        is `--metrics URL` when given (the same host: checked by the config)."""
        if path.startswith(("http://", "https://")):
            return path
        if path.startswith("/"):
            if path == METRICS_PATH and self.config.metrics_url:
                return self.config.metrics_url
            parts = urllib.parse.urlsplit(self.base)
            return f"{parts.scheme}://{parts.netloc}{path}"
        return self.base + path

    def _msg(self, text: str) -> str:
        return redact(text, self._secrets)

    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        expect: str = validate.ANY,
        deadline: float | None = None,
        max_bytes: int | None = None,
        gunzip: bool = False,
    ) -> FetchResult:
        """GET base+path with an overall deadline; raises a FetchError subclass."""
        deadline = self.config.request_timeout if deadline is None else deadline
        shown = endpoint_key(path, params)
        try:
            return await asyncio.wait_for(
                self._get(path, params, expect, max_bytes or self.config.max_body_bytes, gunzip, shown, deadline),
                timeout=deadline,
            )
        except asyncio.TimeoutError:
            raise FetchTimeout(self._msg(f"{shown}: no complete answer within {deadline:g} s")) from None
        except _Redirected as exc:  # never followed: a pprof endpoint does not redirect, a login wall does
            where = exc.location.split("?", 1)[0][:120]  # no query: it may carry a token
            raise NotPprof(self._msg(f"{shown}: redirected to {where or '?'} (a login page?)")) from None
        except FetchError as exc:  # raised in _get: may quote the target (content type, ...)
            exc.args = (self._msg(str(exc)),)
            raise
        except httpx.TimeoutException:
            raise FetchTimeout(self._msg(f"{shown}: timed out")) from None
        except httpx.DecodingError:
            raise BadGzip(self._msg(f"{shown}: body does not decode (Content-Encoding)")) from None
        except httpx.RemoteProtocolError as exc:
            raise Unreachable(self._msg(f"{shown}: connection closed mid-answer ({exc})")) from None
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise Unreachable(self._msg(f"{self.config.label}: unreachable ({reason})")) from None
        except httpx.HTTPError as exc:
            raise FetchError(self._msg(f"{shown}: {exc}")) from None

    async def _get(
        self,
        path: str,
        params: Mapping[str, str] | None,
        expect: str,
        max_bytes: int,
        gunzip: bool,
        shown: str,
        deadline: float = 0.0,
    ) -> FetchResult:
        start = time.perf_counter()
        url = self.url_of(path)
        # an answer that is silent for longer than --timeout by design (profile?seconds=N) may wait
        # as long as its deadline between bytes
        timeout: httpx.Timeout | httpx._client.UseClientDefault = httpx.USE_CLIENT_DEFAULT
        if deadline > self.config.request_timeout:
            timeout = httpx.Timeout(deadline, connect=self.config.connect_timeout)
        async with self._client.stream("GET", url, params=params, timeout=timeout) as resp:
            # an error says why in its first line ("cpu profiling already in use", Go's 400 "profile
            # duration exceeds server's WriteTimeout"): read a bounded bit
            detail = await _error_detail(resp) if resp.status_code >= 400 and resp.status_code != 404 else ""
            self._check_status(resp, shown, detail)
            length = resp.headers.get("content-length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise TooLarge(f"{shown}: body of {int(length)} bytes is over the {max_bytes}-byte limit")
            chunks: list[bytes] = []
            total = 0
            async for chunk in resp.aiter_bytes():  # decoded if the server set Content-Encoding
                total += len(chunk)
                if total > max_bytes:
                    raise TooLarge(f"{shown}: body over the {max_bytes}-byte limit")
                chunks.append(chunk)
            content_type = resp.headers.get("content-type", "")
            status = resp.status_code
        body = b"".join(chunks)
        if gunzip:  # every layer (gzip in gzip too), each bounded, so what is masked is what is parsed
            try:
                body = gunzip_layers(body, self.config.max_decompressed_bytes, what=shown)
            except LimitExceeded as exc:
                raise TooLarge(str(exc)) from None
            except ParseError as exc:
                raise BadGzip(str(exc)) from None
        # The one place every answer passes before it is parsed, recorded or exported: a target
        # echoing our credentials (into a function name, a label) leaves '*' there instead.
        body = mask_secrets(body, self._masks)
        validate.check_body(expect, body, content_type, what=shown)
        return FetchResult(
            path=shown,
            status=status,
            body=body,
            wire_bytes=total,
            elapsed=time.perf_counter() - start,
            content_type=content_type,
        )

    def _check_status(self, resp: httpx.Response, shown: str, detail: str = "") -> None:
        status = resp.status_code
        if 200 <= status < 300:
            return
        if status in (401, 403):
            raise Unauthorized(
                self._msg(
                    f"{shown}: HTTP {status}: credentials missing or refused "
                    "(see --token-file, $PPROF_TUI_TOKEN, --header)"
                ),
                status=status,
            )
        if status == 404:
            if shown == catalog.INDEX.key:
                msg = f"HTTP 404 at {self.config.label}: pprof is not enabled there (wrong base path?)"
            else:
                msg = f"{shown}: HTTP 404: the target does not serve this profile"
            raise NotFound(self._msg(msg), status=status)
        if status >= 500:
            said = f": {detail}" if detail else ""
            raise ServerError(self._msg(f"{shown}: HTTP {status} from the target or a proxy{said}"), status=status)
        raise HTTPStatusError(self._msg(f"{shown}: HTTP {status}" + (f": {detail}" if detail else "")), status=status)


ERROR_DETAIL_BYTES = 512


async def _error_detail(resp: httpx.Response) -> str:
    """The first line of an error answer (at most ERROR_DETAIL_BYTES read), as literal text."""
    data = b""
    try:
        async for chunk in resp.aiter_raw():
            data += chunk
            if len(data) >= ERROR_DETAIL_BYTES:
                break
    except httpx.StreamConsumed:  # already read (a mock transport's answer)
        data = resp.content[:ERROR_DETAIL_BYTES]
    except (httpx.HTTPError, httpx.StreamError):
        return ""
    line = data[:ERROR_DETAIL_BYTES].split(b"\n", 1)[0].strip()
    return clean_bytes(line, 160) if line and b"\x00" not in line else ""
