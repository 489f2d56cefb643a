"""One module per `verdicts` subcommand; see flows/cli.py for the list."""
