"""The lessons in the window: controller, panel, controls, highlights, slides, help."""
