"""Launch rnnviz (the window by default; `python main.py export --help` for the headless CLI)."""
from rnnviz.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
