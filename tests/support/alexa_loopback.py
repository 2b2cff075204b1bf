"""A real HTTP server on 127.0.0.1 serving fixed routes, for the chain-fetch tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: Route -> (body, seconds to wait before answering, seconds between body bytes).
Routes = dict[str, tuple[bytes, float, float]]


@contextmanager
def loopback_server(routes: Routes) -> Iterator[str]:
    """Serve ``routes`` until the block ends; yields the base URL ``http://127.0.0.1:<port>``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server protocol
            if self.path not in routes:
                self.send_error(404)
                return
            body, delay, drip = routes[self.path]
            time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            step = 1 if drip else len(body) or 1
            for start in range(0, len(body), step):
                self.wfile.write(body[start:start + step])
                self.wfile.flush()
                time.sleep(drip)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
