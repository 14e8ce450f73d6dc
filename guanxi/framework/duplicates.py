"""What duplicates mean for an entity type: declared on its ``EntityType(duplicates=...)``.

The dataclasses live here, in the framework, so an app declares its rules in its own
``entities.py`` without importing the duplicates app; ``guanxi.dedup`` (the scan, the queue, the
entry-time check, the rules page and the API) reads them from the registry
(``entity_for(label).duplicates``). An entity without a declaration is not looked at.

    register_entity(EntityType(
        model=Customer,
        duplicates=DuplicateSpec(
            name_field="name",
            name_kind="company",          # or "person" (field-by-field, with person_fields)
            key_field="name_key",         # the stored company key the entry check looks up
            rules=(DuplicateRule("phone", "exact"), DuplicateRule("name", "fuzzy", threshold=90)),
        ),
        ...
    ))

Exact rules compare the column as the model's ``clean()`` stores it (E.164 phones, lower-case
email), so every field named in an exact rule should be normalised there and indexed.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("exact", "fuzzy")
NAME_KINDS = ("company", "person")


@dataclass(frozen=True)
class DuplicateRule:
    """One shipped rule: ``field`` compared ``exact`` or ``fuzzy`` (``threshold`` 50–100).

    An administrator may switch it off or move its threshold (``dedup.MatchRule`` rows)."""

    field: str
    kind: str
    threshold: int = 90
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"duplicate rule {self.field}: kind {self.kind!r} not in {KINDS}")


@dataclass(frozen=True)
class DuplicateSpec:
    """An entity's duplicate rules and how its name compares.

    ``name_field``: the name the fuzzy rule compares (a company's ``name``, a lead's
    ``company``); ``name_kind``: ``company`` (by ``dedup.normalize.company_compare_key``, blocked
    by key fragments) or ``person`` (field by field, ``person_fields`` as ``(field, comparison,
    weight)``); ``key_field``: for companies, the stored, indexed ``company_name_key`` of the
    name, which the entry-time check looks candidates up by."""

    name_field: str
    name_kind: str
    rules: tuple[DuplicateRule, ...]
    person_fields: tuple[tuple[str, str, float], ...] = ()
    key_field: str = ""

    def __post_init__(self) -> None:
        if self.name_kind not in NAME_KINDS:
            raise ValueError(f"duplicates: name kind {self.name_kind!r} not in {NAME_KINDS}")
        if self.name_kind == "company" and not self.key_field:
            raise ValueError("duplicates: a company name needs its stored key_field")
