"""Check a student's own RNN / LSTM functions (the notes' eight) against rnnviz's, step by step.

The student's file runs in a separate process (child.py) with limits on time, memory and output; it
never gets imported into the app. Arrays cross as .npz (never pickled) with a JSON description of
the nesting (tree.py). cases.py builds the notes' own test inputs; compare.py finds where their
numbers and ours part (the first step, quantity and unit); mistakes.py recognises common mistakes
from the numbers; run.py ties them together (check_file). Qt-free: the CLI's `check` and the window
share it. (This __init__ imports nothing, so that the child process starts light.)
"""
