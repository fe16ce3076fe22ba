import os

# GUI tests run without a screen; set before any Qt import
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tempfile

# sessions, recent files and settings go to a throw-away folder, never the user's own
os.environ.setdefault("RNNVIZ_HOME", tempfile.mkdtemp(prefix="rnnviz-test-home-"))
