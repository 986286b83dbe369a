"""What the window's menus and views ask for, by subject: each controller turns a request (move this
card, plan these weeks, sync now) into dialogs and undoable service calls through ``Operations``.

The window (``ui.main_window``) is a shell that builds the menus, views and status bar and wires
them to these; the action registry (``ui.actions``) names a controller method as each action's handler.
"""
