"""The wallboard app: boards, displays, the PBX worker and the browser WebSocket."""
