"""Helpers shared by several test folders (and the local OpenID Connect provider)."""
