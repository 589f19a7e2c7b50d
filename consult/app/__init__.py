"""The command line's shell: argument parsing, the demo clinic, where data lives."""
