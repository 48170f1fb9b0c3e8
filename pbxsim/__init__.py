"""pbxsim: a standalone Yeastar P-Series PBX simulator (REST, WebSocket events, call traffic)."""
