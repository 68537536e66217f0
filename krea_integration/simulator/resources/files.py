"""Files: what ``/files/<id>.<ext>`` serves, and reading the URLs requests give as inputs.

Job outputs appear once their job allows (previews from ``intermediate-complete``,
outputs once ``completed``); they are rendered on first download and cached. An input
URL is one of these files (read from memory, whatever host the URL names), or a URL
fetched as Krea would: through the test's ``fetcher`` when one is configured, else from
public addresses only (see :mod:`..fetch`). A URL at the simulator's own address that
is not one of its files is refused, never fetched.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .. import media
from ..fetch import InputUnreadable, fetch_public, under_prefix
from ..lifecycle import JobLifecycle
from ..outputs import render
from ..state import SimulatorState

__all__ = ["FilesHandler"]

_FILE_PATH = re.compile(r"/files/([0-9a-f-]{36})\.[a-z0-9]+$")


class FilesHandler:
    """Serves the simulator's files and reads input URLs."""

    def __init__(self, state: SimulatorState, lifecycle: JobLifecycle) -> None:
        self.state = state
        self.lifecycle = lifecycle

    def file_bytes(self, file_id: str, ext: str | None = None) -> tuple[bytes, str] | None:
        """The content and MIME type of a served file, or ``None`` if it is not available."""
        state = self.state
        with state.lock:
            now = state.clock.now()
            self.lifecycle.settle(now)
            entry = state.files.get(file_id)
            if entry is None:
                return None
            owner_kind, owner_id, output = entry
            if owner_kind == "asset":
                asset = state.assets[owner_id]
                if ext is not None and ext != asset.info.extension:
                    return None
                return asset.data, asset.info.mime_type
            assert output is not None
            if owner_kind == "job" and not state.jobs[owner_id].file_visible(output, now):
                return None
            recipe = output.recipe
        if ext is not None and ext != recipe.ext:
            return None
        data = state.cache.get(file_id)
        if data is None:
            data = render(recipe, self.read_url)
            state.cache.put(file_id, data)
        return data, recipe.content_type

    def _local_file_id(self, url: str) -> str | None:
        match = _FILE_PATH.search(urlsplit(url).path)
        with self.state.lock:
            if match and match.group(1) in self.state.files:
                return match.group(1)
        return None

    def read_url(self, url: str) -> bytes:
        """The bytes behind an input URL: one of our files, or fetched (and cached).

        Runs outside the lock: it may fetch over HTTP.

        Raises:
            InputUnreadable: refused, unreachable, or one of our files that is not
                available (yet). A configured ``fetcher`` may raise what it likes.
        """
        local = self._local_file_id(url)
        if local is not None:
            found = self.file_bytes(local)
            if found is None:
                raise InputUnreadable(url)
            return found[0]
        if any(under_prefix(url, origin) for origin in self._own_origins()):
            raise InputUnreadable(url)
        key = f"url:{url}"
        data = self.state.cache.get(key)
        if data is None:
            if self.state.fetcher is not None:
                data = self.state.fetcher(url)
            else:
                data = fetch_public(
                    url,
                    max_bytes=media.MAX_ASSET_BYTES,
                    trusted_prefixes=self.state.input_origins,
                )
            self.state.cache.put(key, data)
        return data

    def add_own_origin(self, base_url: str) -> None:
        """Remember that a request reached the simulator at ``base_url``."""
        with self.state.lock:
            self.state.own_origins.add(base_url.rstrip("/"))

    def _own_origins(self) -> list[str]:
        # A URL at the simulator's own address is one of its files or nothing: fetching
        # it over HTTP would let a member reach the control API through an input.
        with self.state.lock:
            origins = set(self.state.own_origins)
        if self.state.public_base_url:
            origins.add(self.state.public_base_url)
        return [f"{origin}/" for origin in origins]
