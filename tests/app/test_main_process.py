"""`python main.py` opens a real window on a virtual screen (Xvfb) and quits cleanly."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")
def test_main_opens_a_window_on_a_virtual_screen(tmp_path):
    display = f":{200 + os.getpid() % 500}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", RNNVIZ_HOME=str(tmp_path),
                   RNNVIZ_SMOKE_EXIT_MS="2500")
        proc = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True,
                              text=True, timeout=90, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "rnnviz: window shown" in proc.stdout
        assert "Traceback" not in proc.stderr
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
