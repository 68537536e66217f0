"""Files: what ``/files/<id>.<ext>`` serves, and reading the URLs requests give as inputs.

Job outputs appear once their job allows (previews from ``intermediate-complete``,
outputs once ``completed``); they are rendered on first download and cached. An input
URL is one of these files (read from memory, whatever host the URL names), or a URL
fetched with the ``fetcher``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

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
            LookupError: one of our files that is not available (yet).
            Exception: whatever the ``fetcher`` raises.
        """
        local = self._local_file_id(url)
        if local is not None:
            found = self.file_bytes(local)
            if found is None:
                raise LookupError("the simulator has no such file (yet)")
            return found[0]
        key = f"url:{url}"
        data = self.state.cache.get(key)
        if data is None:
            data = self.state.fetcher(url)
            self.state.cache.put(key, data)
        return data
