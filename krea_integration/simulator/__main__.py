"""``python -m krea_integration.simulator``: serve the Krea simulator over HTTP.

Example::

    python -m krea_integration.simulator --port 8100 --job-seconds image=3,video=8
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .app import Simulator
from .jobs import JOB_KINDS
from .server import DEFAULT_TICK_SECONDS, serve
from .state import DEFAULT_BACKLOG_CAP, DEFAULT_CONCURRENCY_LIMIT, DEFAULT_COST, DEFAULT_CREDITS


def _job_seconds(text: str) -> float | dict[str, float]:
    """``6`` (every kind) or ``image=4,video=12`` (per kind)."""
    try:
        if "=" not in text:
            return float(text)
        durations: dict[str, float] = {}
        for item in text.split(","):
            kind, _, seconds = item.partition("=")
            if kind.strip() not in JOB_KINDS:
                raise argparse.ArgumentTypeError(
                    f"unknown job kind {kind.strip()!r} (kinds: {', '.join(JOB_KINDS)})"
                )
            durations[kind.strip()] = float(seconds)
        return durations
    except ValueError:
        raise argparse.ArgumentTypeError(f"not seconds: {text!r}") from None


def _tokens(text: str) -> list[str]:
    """``a,b`` -> ``["a", "b"]``."""
    return [item.strip() for item in text.split(",") if item.strip()]


def _tokens_file(path: str) -> list[str]:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror}") from None
    return [line.strip() for line in lines if line.strip()]


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The command line of the simulator server."""
    parser = argparse.ArgumentParser(
        prog="python -m krea_integration.simulator",
        description="Serve a stateful stand-in for api.krea.ai.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8100, help="port, 0 for any free (8100)")
    parser.add_argument(
        "--job-seconds",
        type=_job_seconds,
        default=None,
        help="job duration: one number for every kind, or kind=seconds,... "
        f"(kinds: {', '.join(JOB_KINDS)}; default image 6, enhance 4, video 15, "
        "training 20, node-app 8)",
    )
    parser.add_argument(
        "--credits", type=_decimal, default=DEFAULT_CREDITS, help="starting CU per token"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY_LIMIT,
        help=f"jobs a token runs at once ({DEFAULT_CONCURRENCY_LIMIT})",
    )
    parser.add_argument(
        "--backlog-cap",
        type=int,
        default=DEFAULT_BACKLOG_CAP,
        help=f"backlogged jobs per token before 429 ({DEFAULT_BACKLOG_CAP})",
    )
    parser.add_argument(
        "--default-cost",
        type=_decimal,
        default=DEFAULT_COST,
        help=f"CU of models without a published price ({DEFAULT_COST})",
    )
    parser.add_argument(
        "--tokens",
        type=_tokens,
        default=[],
        help="comma-separated tokens to accept; others get 401 until registered through "
        "POST /_simulator/accounts",
    )
    parser.add_argument(
        "--tokens-file",
        type=_tokens_file,
        # `make run` names the file seed_demo writes the demo team's token to.
        default=os.environ.get("KREA_SIMULATOR_TOKENS_FILE") or [],
        help="a file of tokens to accept, one a line (default: $KREA_SIMULATOR_TOKENS_FILE)",
    )
    parser.add_argument(
        "--public-base-url",
        default=None,
        help="base of output URLs (default: the host each request used)",
    )
    parser.add_argument(
        "--input-origins",
        type=_tokens,
        default=[],
        help="comma-separated URL prefixes inputs may be fetched from even on a private "
        "address, e.g. the portal's public output URLs (default: public addresses only)",
    )
    parser.add_argument(
        "--tick-seconds",
        type=float,
        default=DEFAULT_TICK_SECONDS,
        help=f"how often jobs advance and webhooks go out ({DEFAULT_TICK_SECONDS})",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # httpx logs every URL it calls at INFO, and webhook URLs carry the portal's secrets.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    sim = Simulator(
        job_seconds=args.job_seconds,
        credits=args.credits,
        concurrency_limit=args.concurrency,
        backlog_cap=args.backlog_cap,
        default_cost=args.default_cost,
        tokens=[*args.tokens, *args.tokens_file],
        public_base_url=args.public_base_url,
        input_origins=args.input_origins,
    )

    def ready(url: str) -> None:
        print(f"Krea simulator listening on {url} (control API: {url}/_simulator)", flush=True)

    serve(sim, args.host, args.port, tick_seconds=args.tick_seconds, ready=ready)


if __name__ == "__main__":
    main(sys.argv[1:])
