"""What only the worker runs: the PBX link, REST resync, the day book, the fenced publisher."""
