"""The TLS settings every outgoing HTTPS connection checks its peer with.

httpx reads the whole CA bundle into a new ``ssl.SSLContext`` for each client it makes,
about 30 ms of CPU, and the portal makes a client per task, per webhook delivery and per
file fetched. One context, made on first use and shared by every client of the process,
checks the same certificates (``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` included, as httpx
reads them) for a fraction of a millisecond per client.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's one verifying TLS context, for ``httpx.Client(verify=...)``."""
    return httpx.create_ssl_context()
