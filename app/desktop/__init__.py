"""The desktop app's controllers: the only app code that imports the widgets."""
