"""rnnviz: see inside a recurrent neural network as it computes and learns."""

__version__ = "0.1.0"
