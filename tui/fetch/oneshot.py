"""One-shot fetch for the text subcommands: a URL or target -> raw body bytes."""

from __future__ import annotations

import asyncio
import urllib.parse

from tui.config import Config, ConfigError
from tui.core.errors import SourceError
from tui.fetch.client import TargetClient
from tui.fetch.errors import FetchError


def fetch_once(url_or_target: str, config: object | None = None, *, max_bytes: int | None = None) -> bytes:
    """GET one URL with the config's auth/TLS/limits; return the body with every gzip layer undone
    (bounded by the config's max_decompressed_bytes) and secret values masked, as the poller gets it.

    Raises SourceError (FetchError's message) on failure.
    """
    cfg = config if isinstance(config, Config) else Config()
    parts = urllib.parse.urlsplit(url_or_target if "://" in url_or_target else "http://" + url_or_target)
    if parts.username is not None or parts.password is not None:
        raise SourceError(str(ConfigError("credentials in URLs are not accepted; use --basic-user and a file")))
    url = urllib.parse.urlunsplit(parts)

    async def run() -> bytes:
        async with TargetClient(cfg) as client:
            result = await client.get(url, max_bytes=max_bytes or cfg.max_body_bytes, gunzip=True)
            return result.body

    try:
        return asyncio.run(run())
    except FetchError as exc:
        raise SourceError(exc.user_message) from None
