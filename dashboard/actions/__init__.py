"""Supervisor actions: log agents in/out, pause/unpause them, listen/whisper/barge their calls."""
