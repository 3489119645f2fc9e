"""``python -m diffusion.viz``: serve the browser page (:mod:`diffusion.viz.app`) with Solara.

Runs ``solara run`` on the app in production mode (no file watching) on ``--port`` (default
8765) and ``--host`` (default localhost), then open ``http://HOST:PORT`` in a browser. Any
other arguments are passed on to ``solara run`` (see ``solara run --help``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def solara_command(port: int, host: str, extra: list[str]) -> list[str]:
    """The ``solara run`` command line that serves the app."""
    app = Path(__file__).resolve().with_name("app.py")
    return [sys.executable, "-m", "solara", "run", str(app), "--port", str(port), "--host", host, "--production", *extra]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m diffusion.viz", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765; 0 picks a free one)")
    parser.add_argument("--host", default="localhost", help="host to listen on (default localhost)")
    args, extra = parser.parse_known_args(argv)
    command = solara_command(args.port, args.host, extra)
    print(f"serving the diffusion page on http://{args.host}:{args.port} (Ctrl-C stops)", flush=True)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
