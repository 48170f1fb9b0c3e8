"""An optional second factor for local accounts: a TOTP authenticator app (docs/operations.md)."""
