"""Pure core: PBX frames to typed events, events to live state. No I/O in this package."""
