"""End-to-end commands as library functions (the CLI only parses options and calls these)."""
