"""Command line: `rnnviz` opens the window; `rnnviz export ...` writes figures and data headless."""
from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rnnviz",
        description="See inside a recurrent neural network. Without a command, opens the window.",
    )
    sub = p.add_subparsers(dest="command")
    g = sub.add_parser("gui", help="open the window (the default)")
    g.add_argument("--text", help="start on this text instead of the built-in example")
    return p


def run_gui(args) -> int:
    from rnnviz.app.main_window import run_app

    return run_app(text=getattr(args, "text", None))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "gui"):
        return run_gui(args)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
