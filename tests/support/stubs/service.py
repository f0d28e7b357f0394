"""Stand-in for a tier service in supervisor tests: answers /health/ready and echoes its env.

Run as ``python tests/support/stubs/service.py TIER``; listens on ``PLENARIA_<TIER>_PORT`` like the real one.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/health/ready":
            body = b"ok"
        elif self.path == "/env":
            env = {k: v for k, v in os.environ.items() if k.startswith("PLENARIA_")}
            body = json.dumps({"env": env, "pid": os.getpid()}).encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


def main() -> None:
    tier = sys.argv[1]
    server = ThreadingHTTPServer(
        ("127.0.0.1", int(os.environ[f"PLENARIA_{tier.upper()}_PORT"])), Handler
    )

    def on_term(signum: int, frame: FrameType | None) -> None:
        print(f"{tier} draining", flush=True)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    print(f"{tier} listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
