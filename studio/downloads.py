"""Krea's files (outputs, previews, assets) are fetched one way: ``KreaDownloader``.

It sends no token, and fetches only from Krea's API host and ``KREA_DOWNLOAD_HOSTS``
on their ports, so a forged URL can never make the portal fetch an arbitrary address.
"""

from __future__ import annotations

from django.conf import settings

from krea_integration.client import KreaDownloader, download_allowed


def krea_downloader(**kwargs) -> KreaDownloader:
    """The downloader for Krea's files, configured from the settings."""
    kwargs.setdefault("base_url", settings.KREA_API_BASE_URL)
    kwargs.setdefault("hosts", settings.KREA_DOWNLOAD_HOSTS)
    kwargs.setdefault("timeout", settings.KREA_TIMEOUT_SECONDS)
    # None in production (the network); the in-process simulator in tests and the demo.
    kwargs.setdefault("transport", settings.KREA_TRANSPORT)
    return KreaDownloader(**kwargs)


def download_allowed_here(url: str) -> bool:
    """True when the portal would fetch ``url`` (Krea's API host, ``KREA_DOWNLOAD_HOSTS``)."""
    return download_allowed(
        url, base_url=settings.KREA_API_BASE_URL, hosts=settings.KREA_DOWNLOAD_HOSTS
    )
