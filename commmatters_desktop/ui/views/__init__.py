"""The main window's views, one widget each, with stable objectNames."""
