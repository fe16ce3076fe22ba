"""Size and time of the BPTT animation export (the whole GIF step: views, frames, palette, encoding),
and of a whole `rnnviz export` run, at T = 200 and T = 2000, for a text and a number series.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_export.py           # GIF step only
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_export.py --cli     # plus whole CLI runs

The GIF step is what rnnviz.app.export_anim.export_animation does for File > Export animation… and for
the CLI's bptt.gif; the default options are the CLI's (backward pass, graph, at most 100 frames).
"""
from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnnviz.app.config import Config  # noqa: E402
from rnnviz.app.export_anim import AnimOptions, export_animation  # noqa: E402
from rnnviz.app.headless import compute, ensure_app  # noqa: E402

TEXT = "the quick brown fox jumps over the lazy dog, then naps in the warm afternoon sun. "
OPTIONS = {
    "backward, graph": AnimOptions("backward", "graph"),
    "both, full": AnimOptions("both", "full"),
}


def source(kind: str, T: int) -> str:
    if kind == "text":
        return (TEXT * (T // len(TEXT) + 2))[: T + 1]
    return " ".join(f"{math.sin(0.3 * i):.3f}" for i in range(T + 1))


def bench_gif(kind: str, T: int, options: AnimOptions, folder: Path) -> tuple[float, float, int]:
    state = compute(Config(source=source(kind, T), kind=kind), None)
    state.set_position(state.n_positions - 1)
    path = folder / f"{kind}-{T}.gif"
    t0 = time.perf_counter()
    export_animation(path, state, options)
    seconds = time.perf_counter() - t0
    from PIL import Image
    with Image.open(path) as im:
        frames = im.n_frames
    return seconds, path.stat().st_size / 1e6, frames


def bench_cli(kind: str, T: int, folder: Path) -> tuple[float, float]:
    src = folder / f"{kind}-{T}.txt"
    src.write_text(source(kind, T), encoding="utf-8")
    out = folder / f"cli-{kind}-{T}"
    env = dict(os.environ, RNNVIZ_HOME=str(folder / "home"))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "main.py"), "export", "--out", str(out), f"--{kind}-file", str(src)],
                   check=True, env=env, capture_output=True)
    return time.perf_counter() - t0, (out / "bptt.gif").stat().st_size / 1e6


def main() -> None:
    ensure_app()
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        print(f"{'sequence':<16}{'animation':<18}{'frames':>7}{'GIF MB':>9}{'seconds':>9}")
        for T in (200, 2000):
            for kind in ("text", "numbers"):
                for name, opts in OPTIONS.items():
                    s, mb, n = bench_gif(kind, T, opts, folder)
                    print(f"{kind + f' T={T}':<16}{name:<18}{n:>7}{mb:>9.2f}{s:>9.2f}", flush=True)
        if "--cli" in sys.argv:
            print(f"\nwhole `rnnviz export` (defaults)\n{'sequence':<16}{'seconds':>9}{'GIF MB':>9}")
            for T in (200, 2000):
                for kind in ("text", "numbers"):
                    s, mb = bench_cli(kind, T, folder)
                    print(f"{kind + f' T={T}':<16}{s:>9.2f}{mb:>9.2f}", flush=True)


if __name__ == "__main__":
    main()
