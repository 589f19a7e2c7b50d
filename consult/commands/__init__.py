"""One module per `consult` subcommand, each with `run(args) -> int`."""
