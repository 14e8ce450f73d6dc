"""Use cases that change customers, contacts, leads and pools (verb-first, keyword-only ``actor``)."""
