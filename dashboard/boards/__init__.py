"""What serves screens: board pages, the TV pairing, the board socket and its per-process hub."""
