"""`rnnviz lesson NAME --out DIR`: its arguments (Qt-free: the CLI imports this at start)."""
from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("lesson", help="write a lesson's pages as PNG slides",
                       description="Set the app up as each page of a lesson says and write one PNG slide per "
                                   "page (the window with the page's text and live numbers) and slides.txt, "
                                   "into a folder. Needs no screen.")
    p.add_argument("name", metavar="NAME", help="a built-in lesson (forward-pass, bptt, vanishing, exploding, ...) "
                                                "or a lesson file (.json / .toml)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    p.add_argument("--size", default="1280x720", metavar="WxH", help="the window's size in pixels (default 1280x720)")
    p.add_argument("--presentation", action="store_true", help="large fonts, as in presentation mode (F11)")
