"""Qt-free file formats: sessions, weights, CSV/NPZ export."""
