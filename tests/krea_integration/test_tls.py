"""Every outgoing client checks certificates with the process's one TLS context, so a
client made per task, webhook or file costs no new read of the CA bundle (about 30 ms
of CPU each, which httpx spends when left to make its own)."""

import ssl

from krea_integration.client import KreaClient, KreaDownloader
from krea_integration.tls import tls_context


def test_the_shared_context_verifies_certificates_and_host_names():
    context = tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.cert_store_stats()["x509_ca"] > 0  # the CA bundle is loaded


def test_new_clients_reuse_it_without_reading_the_certificates_again(monkeypatch):
    shared = tls_context()
    reads = []
    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", lambda *args: reads.append(args))

    clients = [KreaClient("a-token"), KreaClient("another-token"), KreaDownloader()]

    assert reads == []
    assert all(client._http._transport._pool._ssl_context is shared for client in clients)
    for client in clients:
        client.close()
