"""Company accounts: OpenID Connect and LDAP sign-in, with roles from the company's groups."""
