"""The unrolled computational graph: described (spec.py: a GraphSpec of rows and edges built from the
Trace), laid out (columns.py, layout.py), and drawn by role (nodes.py, painters.py, edges.py, bands.py,
inputs.py, outputs.py, overlay.py) by one graphics item (item.py) in a canvas (canvas.py) inside GraphView (view.py)."""
