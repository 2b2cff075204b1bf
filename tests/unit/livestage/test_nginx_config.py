"""``livestage nginx-config`` renders a configuration nginx accepts, with and without TLS."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from livestage.cli import main
from livestage.nginx_config import NginxOptions, render_site, secret_include
from tests.support.alexa_pki import DAY, _cert, key

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    now = datetime.now(UTC)
    private = key("nginx-tls")
    cert = _cert("live.example.org", private, "live.example.org", private, not_before=now - DAY,
                 not_after=now + DAY, ca=False, san="live.example.org")
    cert_path, key_path = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return cert_path, key_path


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
def test_generated_config_passes_nginx_t(tmp_path: Path, tls: bool) -> None:
    assert Path(NGINX).exists(), "nginx must be installed (scripts/bootstrap --test)"
    prefix = tmp_path / "nginx"
    args = ["nginx-config", "--data-dir", str(tmp_path / "data"), "--upstream", "127.0.0.1:8080",
            "--listen", "127.0.0.1:8099", "--server-name", "live.example.org",
            "--access-log", str(prefix / "hls.log"), "--secret-include", str(prefix / "secret.conf"),
            "--write-secret", "--standalone", str(prefix)]
    if tls:
        cert, private = _self_signed(tmp_path)
        args += ["--certificate", str(cert), "--certificate-key", str(private)]
    result = CliRunner().invoke(main, args, env={"LIVESTAGE_URL_SECRET": "unit-url-secret"})
    assert result.exit_code == 0, result.output
    assert ("listen 443 ssl" in result.output) is tls
    assert (prefix / "secret.conf").stat().st_mode & 0o777 == 0o600
    assert "unit-url-secret" not in result.output  # the secret lives only in the include
    (prefix / "nginx.conf").write_text(result.output)
    checked = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr


def test_site_config_has_the_hls_rules_and_the_proxy() -> None:
    site = render_site(NginxOptions(hls_dir=Path("/srv/livestage/hls"), segment_seconds=6))
    assert 'add_header Cache-Control "public, max-age=3";' in site
    assert "default_type video/mp2t;" in site and "default_type application/vnd.apple.mpegurl;" in site
    assert "alias /srv/livestage/hls/$hls_room/$hls_file;" in site
    assert "proxy_request_buffering off;" in site and "proxy_http_version 1.1;" in site
    assert "listen 443" not in site


@pytest.mark.parametrize("bad", ["/srv/my data", "/srv/x;evil", "/srv/$x", "/srv/{x}", '/srv/"x'],
                         ids=["space", "semicolon", "dollar", "braces", "quote"])
def test_unsafe_paths_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        render_site(NginxOptions(hls_dir=Path(bad), upstream="127.0.0.1:1"))


def test_secret_include_defines_the_variable() -> None:
    assert secret_include("abc_DEF-123") == 'map "" $livestage_url_secret {\n    default "abc_DEF-123";\n}\n'
    with pytest.raises(ValueError):
        secret_include('a"b')
