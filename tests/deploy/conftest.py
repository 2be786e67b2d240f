"""Fixtures for the deployment tests: a real nginx (Debian's package) on
loopback with a self-signed certificate, in front of gunicorn on the test DB."""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Template

import pytest

from conftest import ROOT, free_port

NGINX_DIR = ROOT / "nginx"
CLINIC_NAMES = ["localhost", "*.localhost", "alpha.localhost", "beta.localhost"]


def find_nginx() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def render(template: Path, values: dict[str, str]) -> str:
    """envsubst as the nginx image runs it: only the names we define."""
    text = template.read_text()
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    return text


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and its subdomains."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(n) for n in CLINIC_NAMES]
                + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    chain, private = directory / "fullchain.pem", directory / "privkey.pem"
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return chain, private


@dataclass
class Proxy:
    http_port: int
    https_port: int
    ca_file: Path
    log_dir: Path

    def request(
        self,
        method: str,
        host: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        tls: bool = True,
        source: str = "127.0.0.1",
    ) -> tuple[http.client.HTTPResponse, bytes]:
        port = self.https_port if tls else self.http_port
        if tls:
            context = ssl.create_default_context(cafile=str(self.ca_file))
            conn: http.client.HTTPConnection = _SNIConnection(
                host, port, context, source
            )
        else:
            conn = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=60, source_address=(source, 0)
            )
        all_headers = {"Host": f"{host}:{port}", **(headers or {})}
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            return response, response.read()
        finally:
            conn.close()


class _SNIConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 with the clinic's name in SNI and verification, as
    a browser resolving *.localhost to loopback would."""

    def __init__(
        self, sni: str, port: int, context: ssl.SSLContext, source: str
    ) -> None:
        super().__init__(
            "127.0.0.1",
            port,
            context=context,
            timeout=60,
            source_address=(source, 0),
        )
        self._sni = sni

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self._sni)


def _ensure_nginx() -> str:
    nginx = find_nginx()
    if nginx is None:
        subprocess.run(  # noqa: S603
            [str(ROOT / "scripts" / "ensure_nginx.sh")], check=False
        )
        nginx = find_nginx()
    if nginx is None:
        pytest.skip(
            "nginx is not installed and could not be installed here "
            "(scripts/ensure_nginx.sh needs root and apt-get)"
        )
    return nginx


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not start in 15 s")


def _wait_until_app_answers(port: int) -> None:
    """gunicorn binds its port before its workers have loaded Django."""
    deadline = time.monotonic() + 120
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", "/health/live", headers={"Host": "localhost"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        if time.monotonic() > deadline:
            raise RuntimeError("the app server never answered /health/live")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def nginx_proxy(app_server_factory, tmp_path_factory) -> Iterator[Proxy]:
    """The repository's nginx config, rendered for loopback high ports."""
    nginx = _ensure_nginx()
    # Django believes X-Forwarded-For through exactly one proxy: nginx.
    app_port = app_server_factory({"TRUSTED_PROXY_COUNT": "1"}, workers=2)
    _wait_until_app_answers(app_port)
    base = tmp_path_factory.mktemp("nginx")
    certs = base / "live"
    chain, _ = make_certificate(certs / "localhost")
    shutil.copytree(certs / "localhost", certs / "wildcard.localhost")
    (base / "acme").mkdir()
    (base / "www").mkdir()
    (base / "www" / "static").symlink_to(ROOT / "static")
    (base / "conf.d").mkdir()
    (base / "snippets").symlink_to(NGINX_DIR / "snippets")
    http_port, https_port = free_port(), free_port()
    values = {
        "BASE_DOMAIN": "localhost",
        "NGINX_UPSTREAM": f"127.0.0.1:{app_port}",
        "NGINX_HTTP_PORT": f"127.0.0.1:{http_port}",
        "NGINX_HTTPS_PORT": f"127.0.0.1:{https_port}",
        "NGINX_CERT_DIR": str(certs),
        "NGINX_STATIC_ROOT": str(base / "www"),
        "NGINX_ACME_ROOT": str(base / "acme"),
    }
    for template in sorted((NGINX_DIR / "templates").glob("*.template")):
        (base / "conf.d" / template.name.removesuffix(".template")).write_text(
            render(template, values)
        )
    # The image's nginx.conf, with paths a test may write to.
    main = Template(
        """
daemon off;
worker_processes 1;
pid $base/nginx.pid;
error_log $base/error.log warn;
$user
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $base/tmp-body;
    proxy_temp_path $base/tmp-proxy;
    fastcgi_temp_path $base/tmp-fastcgi;
    uwsgi_temp_path $base/tmp-uwsgi;
    scgi_temp_path $base/tmp-scgi;
    include $base/conf.d/*.conf;
    access_log $base/access.log chairside_json;
}
"""
    ).substitute(base=base, user="user root;" if os.geteuid() == 0 else "")
    (base / "nginx.conf").write_text(main)
    check = subprocess.run(  # noqa: S603
        [nginx, "-t", "-p", str(base), "-c", str(base / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(  # noqa: S603
        [nginx, "-p", str(base), "-c", str(base / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(https_port, proc, base / "error.log")
        yield Proxy(http_port, https_port, chain, base)
    finally:
        proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
