"""A real nginx (Debian's package) on loopback, configured by ``livestage nginx-config``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.support import ROOT, free_port, wait_for


@dataclass
class NginxServer:
    """nginx in front of a stream server, run from its own prefix directory."""

    prefix: Path
    port: int
    access_log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, prefix: Path, data_dir: Path, upstream_port: int,
              env: dict[str, str]) -> NginxServer:
        assert shutil.which("nginx") or Path("/usr/sbin/nginx").exists(), \
            "nginx must be installed (scripts/bootstrap --test)"
        prefix.mkdir(parents=True, exist_ok=True)
        port = free_port()
        server = cls(prefix, port, prefix / "hls-access.log")
        conf = subprocess.run(
            [sys.executable, "-m", "livestage", "nginx-config", "--data-dir", str(data_dir),
             "--upstream", f"127.0.0.1:{upstream_port}", "--listen", f"127.0.0.1:{port}",
             "--access-log", str(server.access_log), "--secret-include", str(prefix / "secret.conf"),
             "--write-secret", "--standalone", str(prefix)],
            env=env, cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout
        (prefix / "nginx.conf").write_text(conf)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        log = (prefix / "nginx.out").open("wb")
        server.proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                                       stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_for(server._answers, 15, what="nginx to listen")
        return server

    def _answers(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"nginx exited: {(self.prefix / 'error.log').read_text()}")
        try:
            with urllib.request.urlopen(self.url + "/hls/", timeout=1):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
