"""Yeastar P-Series OpenAPI client: REST with errcodes, tokens, event subscription (no Django)."""
