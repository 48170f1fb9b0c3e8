"""Developer-stack helpers: a Redis to talk to and a supervisor for the demo's processes."""
