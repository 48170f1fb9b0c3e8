"""Reports (docs/design.md#reports): the 15-minute history and agents' days, as pages and files."""
