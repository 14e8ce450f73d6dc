"""Use cases of the users app (verb-first functions with a keyword-only ``actor``)."""

from guanxi.users.services.tokens import create_token, revoke_token

__all__ = ["create_token", "revoke_token"]
