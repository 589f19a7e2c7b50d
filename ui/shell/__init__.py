"""The app's shell: start-up, the main window, the lock, styles and workers."""
