"""Guanxi's framework layer: knows no domain, gives every entity type its features.

Start with ``models.PrimaryModel`` (the feature contract), ``querysets.RestrictedQuerySet``
(the one access choke point), ``context`` (who is acting) and ``changes`` (the change log).
"""
