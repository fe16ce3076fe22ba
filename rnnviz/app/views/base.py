"""What every figure-like view offers, so that the window's export menu, File > Export all figures
and the CLI's `export` use one code path (see rnnviz/app/export.py).

A view that can be exported subclasses FigureView next to its Qt base class and fills in:
  figure_name   file stem used by exports and the CLI: "graph", "hidden_states", "outputs", ...
  figure_title  human title ("Hidden states a<t>")
  figure_csv()  the data behind the figure: (header, rows), one row per step where that makes sense
and may override figure_widget() (default: the view itself) to say which widget gets rendered, and
has_figure() (default True) to say there is nothing to export now (Compare with compare mode off).
"""
from __future__ import annotations


class FigureView:
    figure_name: str = "figure"
    figure_title: str = "Figure"

    def figure_csv(self) -> tuple[list[str], list[list]]:
        raise NotImplementedError

    def figure_widget(self):
        return self

    def has_figure(self) -> bool:
        return True
