"""The command line: one module per sub-command, its options and exit codes."""
