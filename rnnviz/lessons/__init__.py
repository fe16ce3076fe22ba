"""Guided lessons (Qt-free): the lesson format and its checker, live values, conditions, topics.

rnnviz.app.lessons shows them in the window; docs/lessons.md documents the format.
"""
from .conditions import Condition, ConditionError, parse_condition  # noqa: F401
from .format import (FORMAT_VERSION, Capabilities, Lesson, LessonError, Page, builtin_lessons,  # noqa: F401
                     builtin_paths, check_lesson, find_lesson, load_lesson)
from .text import fill, to_html, to_plain  # noqa: F401
from .values import VALUES, Context, read_value  # noqa: F401
