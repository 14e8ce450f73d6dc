"""Demo data: the duplicates queue holds what the demo's records hold, as after a first scan.

Without it the queue was empty on a fresh demo until someone pressed *Scan now*, so the 11
deliberate duplicates the customers step seeds (and the contacts' and leads') did not show.
Idempotent: a type whose records already have candidates is not scanned again.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from guanxi.demo.generator import DemoContext, register_demo_step


def load_duplicates(ctx: DemoContext) -> int:
    from guanxi.dedup.models import DuplicateCandidate
    from guanxi.dedup.services.rules import entity_labels, model_for
    from guanxi.dedup.services.scan import scan_entity

    created = 0
    for label in entity_labels():
        model = model_for(label)
        content_type = ContentType.objects.get_for_model(model)
        scanned = DuplicateCandidate.objects.filter(
            content_type=content_type, left_id__in=model._default_manager.values("pk")
        )  # candidates of records that exist: after a reset, the stale ones are replaced
        if scanned.exists():
            continue
        scan_entity(label)
        created += DuplicateCandidate.objects.filter(content_type=content_type).count()
    return created


# after every step that writes records the rules look at
register_demo_step("duplicates", load_duplicates, order=99)
