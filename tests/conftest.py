import os

# GUI tests run without a screen; set before any Qt import
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
