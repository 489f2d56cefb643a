"""The `verdicts` command: one entry point, one module per subcommand."""

from cli._main import main

__all__ = ["main"]
