"""The app's dialogs: signing in, set-up, settings, PDFs, printing, the seal key."""
