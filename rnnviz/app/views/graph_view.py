"""GraphView lives in rnnviz/app/views/graph/ (the graph built from a GraphSpec); this name stays for
the window, the CLI and exports that import it from here."""
from rnnviz.app.views.graph.view import GraphView, NodeInfo  # noqa: F401
