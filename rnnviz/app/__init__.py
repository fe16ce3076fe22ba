"""The desktop app (PySide6 + pyqtgraph)."""
