"""`rnnviz lesson NAME --out DIR`: its arguments (Qt-free: the CLI imports this at start)."""
from __future__ import annotations

import argparse
import re

SIZES = ((640, 480), (3840, 2160))     # the smallest and largest slide


def window_size(s: str) -> str:
    """--size WIDTHxHEIGHT within SIZES (argparse type: a bad one is a one-line error with exit 2)."""
    m = re.fullmatch(r"(\d{3,4})x(\d{3,4})", s.strip())
    (w0, h0), (w1, h1) = SIZES
    if not m or not (w0 <= int(m.group(1)) <= w1 and h0 <= int(m.group(2)) <= h1):
        raise argparse.ArgumentTypeError(f"{s!r} is not a slide size: give WIDTHxHEIGHT from {w0}x{h0} to "
                                         f"{w1}x{h1}, e.g. 1280x720")
    return s.strip()


def add_parser(sub) -> None:
    p = sub.add_parser("lesson", help="write a lesson's pages as PNG slides",
                       description="Set the app up as each page of a lesson says and write one PNG slide per "
                                   "page (the window with the page's text and live numbers) and slides.txt, "
                                   "into a folder. Needs no screen.")
    p.add_argument("name", metavar="NAME", help="a built-in lesson (forward-pass, bptt, vanishing, exploding, ...) "
                                                "or a lesson file (.json / .toml)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    p.add_argument("--size", default="1280x720", type=window_size, metavar="WxH",
                   help="every slide's size in pixels, from 640x480 to 3840x2160 (default 1280x720; a size "
                        "smaller than the window's panels need is an error naming the smallest)")
    p.add_argument("--presentation", action="store_true", help="large fonts, as in presentation mode (F11)")
