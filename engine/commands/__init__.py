"""One module per ``lianban`` subcommand (see :data:`engine.cli.COMMANDS`)."""
