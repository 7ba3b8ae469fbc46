"""Fixtures for the Outlook backend: the fake Graph server over TLS, settings pointing at it,
and a signed-in user (the real msal device-code flow against the fake)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from focuscal.config import OutlookSettings, Settings
from tests.fakes.graph_server import CLIENT_ID, FakeGraph


def make_certificate(folder: Path, name: str = "server") -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (certificate, key) PEM files."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / f"{name}.pem", folder / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture(scope="session")
def tls(tmp_path_factory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def fake_graph(tls):
    """A fake Microsoft Graph and identity platform on https://127.0.0.1:PORT."""
    with FakeGraph(*tls, user="alex.rivera@acme-sales.com") as fake:
        yield fake


def outlook_settings(fake: FakeGraph, cafile: Path, **outlook) -> Settings:
    outlook.setdefault("client_id", CLIENT_ID)
    return Settings(timeout=5, outlook=OutlookSettings(
        graph_endpoint=fake.graph, login_endpoint=fake.origin, cafile=str(cafile), **outlook))


@pytest.fixture
def settings(fake_graph, tls) -> Settings:
    return outlook_settings(fake_graph, tls[0])


@pytest.fixture
def signed_in(settings):
    """`focuscal auth outlook --write` done: msal's cache saved in the user data directory."""
    from focuscal import graph

    return graph.sign_in(settings, write=True, browser=False, announce=lambda text: None)


@pytest.fixture
def no_waits(monkeypatch):
    """Retries happen at once; the waits they would have made are recorded."""
    from focuscal import transport

    waits: list[float] = []
    monkeypatch.setattr(transport, "sleep", waits.append)
    return waits
