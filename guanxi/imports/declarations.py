"""Where the import engine finds an entity's import declaration: the entity registry.

Each entity declares its own on ``EntityType(imports=ImportSpec(...))`` in its app's
``entities.py`` (the dataclasses: ``guanxi.framework.importing``): header synonyms, match keys,
the Import data page's order and its checks, which live in the owning app's services (撞单:
``customers.services.conflicts.import_conflicts``). Everything else is generic
(``guanxi.imports.fields`` reads the model): an entity registered without a declaration can be
imported too, matched by ID and its unique fields.
"""

from __future__ import annotations

from django.db import models

from guanxi.framework.entities import entity_for
from guanxi.framework.importing import ChunkCheck, ImportSpec, LineField, LineSpec

__all__ = ["ChunkCheck", "ImportSpec", "LineField", "LineSpec", "spec_for"]


def spec_for(model: type[models.Model]) -> ImportSpec:
    """The model's declaration; without one, matching by ID and by its unique fields."""
    entity = entity_for(model)
    if entity is not None and entity.imports is not None:
        return entity.imports
    unique = tuple(f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key)
    return ImportSpec(match_keys=("id", *unique))
