"""Qt only: the main window, views, item models and dialogs. The only package that imports PySide6."""
