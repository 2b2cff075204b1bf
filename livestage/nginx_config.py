"""``livestage nginx-config``: the nginx recipe of ``deploy/nginx`` rendered with this install's paths.

The templates hold ``@@NAME@@`` placeholders (nginx's own ``$variables`` stay untouched).
``render_site`` fills them from an ``NginxOptions`` value (pure); the command gathers the
options from flags and ``LIVESTAGE_*`` settings, writes the root-only secret include when
asked, and prints the configuration.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import click

from stream_server.ops.config import settings_from_env
from stream_server.serving.headers import playlist_max_age

#: Where the templates live (the repository's deploy/nginx).
TEMPLATES = Path(__file__).resolve().parent.parent / "deploy" / "nginx"
#: Debian's path of the njs module (package libnginx-mod-http-js).
JS_MODULE = "/usr/lib/nginx/modules/ngx_http_js_module.so"
_UNSAFE = re.compile(r"[\s;{}\"'$#\\]")


@dataclass(frozen=True)
class NginxOptions:
    """Everything the recipe depends on; defaults are a Debian production host."""

    hls_dir: Path
    upstream: str = "127.0.0.1:8080"
    server_name: str = "_"
    listen: str = "80"
    segment_seconds: int = 2
    access_log: Path = Path("/var/log/nginx/livestage-hls.log")
    secret_include: Path = Path("/etc/nginx/livestage-secret.conf")
    js_path: Path = TEMPLATES / "livestage.js"
    acme_root: Path = Path("/var/www/letsencrypt")
    #: None: no HTTPS server block (tests, or TLS ends elsewhere).
    certificate: Path | None = None
    certificate_key: Path | None = None


def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    left = re.findall(r"@@[A-Z_]+@@", text)
    if left:
        raise ValueError(f"template placeholders left unfilled: {sorted(set(left))}")
    return text


def _indent(text: str, spaces: int) -> str:
    return "\n".join((" " * spaces + line) if line else line for line in text.rstrip("\n").split("\n"))


def check_safe(label: str, value: str) -> str:
    """``value`` unchanged, or ValueError when it could break out of an nginx directive."""
    if not value or _UNSAFE.search(value):
        raise ValueError(f"{label} {value!r} is empty or holds a space, quote, ';', braces, '$' or '#'")
    return value


def render_site(options: NginxOptions) -> str:
    """The site configuration (http-block level): upstream, HTTP server and, with a certificate, HTTPS."""
    values = {
        "HLS_DIR": check_safe("HLS directory", str(options.hls_dir)),
        "UPSTREAM": check_safe("upstream", options.upstream),
        "SERVER_NAME": check_safe("server name", options.server_name),
        "LISTEN": check_safe("listen", options.listen),
        "ACCESS_LOG": check_safe("access log", str(options.access_log)),
        "SECRET_INCLUDE": check_safe("secret include", str(options.secret_include)),
        "JS_PATH": check_safe("njs script", str(options.js_path)),
        "ACME_ROOT": check_safe("ACME webroot", str(options.acme_root)),
        "PLAYLIST_MAX_AGE": str(playlist_max_age(options.segment_seconds)),
    }
    headers = {
        "PLAYLIST_HEADERS": _indent(_fill(_template("playlist-headers.conf.in"), values), 8),
        "SEGMENT_HEADERS": _indent(_fill(_template("segment-headers.conf.in"), values), 8),
        "CAPTION_HEADERS": _indent(_fill(_template("caption-headers.conf.in"), values), 8),
    }
    locations = _fill(_template("locations.conf.in"), {**values, **headers}).rstrip("\n")
    tls = ""
    if options.certificate is not None:
        key = options.certificate_key or options.certificate
        tls = _fill(_template("tls-server.conf.in"), {
            **values, "LOCATIONS": locations,
            "CERTIFICATE": check_safe("certificate", str(options.certificate)),
            "CERTIFICATE_KEY": check_safe("certificate key", str(key)),
        })
    return _fill(_template("site.conf.in"), {**values, "LOCATIONS": locations, "TLS_SERVER": tls})


def render_standalone(options: NginxOptions, prefix: Path, *, workers: str = "auto") -> str:
    """A whole ``nginx.conf`` running the site from ``prefix`` (pid, logs, temp files there)."""
    run_as = ""
    if os.geteuid() == 0:  # keep the workers' identity: the data dir may be private to this user
        run_as = "user root;"
    return _fill(_template("standalone.conf.in"), {
        "PREFIX": check_safe("prefix", str(prefix)),
        "JS_MODULE": JS_MODULE,
        "USER": run_as,
        "WORKERS": check_safe("workers", workers),
        "SITE": _indent(render_site(options), 4),
    })


def secret_include(secret: str) -> str:
    """The include that hands nginx the URL secret as ``$livestage_url_secret``."""
    check_safe("URL secret", secret)
    return f'map "" $livestage_url_secret {{\n    default "{secret}";\n}}\n'


def write_secret_include(path: Path, secret: str) -> None:
    """Write the secret include readable by its owner only (root, for Debian's nginx)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secret_include(secret))


@click.command("nginx-config")
@click.option("--data-dir", type=click.Path(path_type=Path),
              help="The stream server's data dir [LIVESTAGE_DATA_DIR, ./data].")
@click.option("--upstream", default="127.0.0.1:8080", show_default=True,
              help="Where `livestage serve` listens.")
@click.option("--server-name", default="_", show_default=True, help="The public host name.")
@click.option("--listen", default="80", show_default=True, help="The plain-HTTP listen address.")
@click.option("--access-log", type=click.Path(path_type=Path),
              default=NginxOptions.access_log, show_default=True,
              help="HLS playlist log; give the same path to LIVESTAGE_NGINX_ACCESS_LOG.")
@click.option("--secret-include", type=click.Path(path_type=Path),
              default=NginxOptions.secret_include, show_default=True,
              help="File defining $livestage_url_secret (root-only).")
@click.option("--write-secret", is_flag=True,
              help="Also write --secret-include (mode 0600) from the server's URL secret.")
@click.option("--js-path", type=click.Path(path_type=Path), default=NginxOptions.js_path,
              show_default=True, help="The njs script checking signed paths (copy it next to nginx.conf).")
@click.option("--certificate", type=click.Path(path_type=Path),
              help="TLS certificate (fullchain); adds the HTTPS server on 443.")
@click.option("--certificate-key", type=click.Path(path_type=Path), help="TLS private key.")
@click.option("--standalone", type=click.Path(path_type=Path),
              help="Print a whole nginx.conf run from this prefix directory (tests, benchmarks).")
def nginx_config(data_dir: Path | None, upstream: str, server_name: str, listen: str,
                 access_log: Path, secret_include: Path, write_secret: bool, js_path: Path,
                 certificate: Path | None, certificate_key: Path | None,
                 standalone: Path | None) -> None:
    """Print the nginx configuration serving /hls/ from disk and proxying the rest to `livestage serve`."""
    from stream_server.ops.url_secret import url_secret

    settings = settings_from_env().with_overrides(data_dir=data_dir)
    options = NginxOptions(
        hls_dir=settings.hls_dir.resolve(), upstream=upstream, server_name=server_name,
        listen=listen, segment_seconds=settings.segment_seconds, access_log=access_log.absolute(),
        secret_include=secret_include.absolute(), js_path=js_path.absolute(),
        certificate=certificate.absolute() if certificate else None,
        certificate_key=certificate_key.absolute() if certificate_key else None,
    )
    try:
        if write_secret:
            write_secret_include(options.secret_include, url_secret(settings))
        if standalone is not None:
            prefix = standalone.absolute()
            (prefix / "tmp").mkdir(parents=True, exist_ok=True)
            click.echo(render_standalone(options, prefix), nl=False)
        else:
            click.echo(render_site(options), nl=False)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
