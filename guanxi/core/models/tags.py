from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import OrganizationalModel

COLOR_CHOICES = [
    ("slate", _("Slate")),
    ("red", _("Red")),
    ("orange", _("Orange")),
    ("amber", _("Amber")),
    ("green", _("Green")),
    ("teal", _("Teal")),
    ("blue", _("Blue")),
    ("indigo", _("Indigo")),
    ("purple", _("Purple")),
    ("pink", _("Pink")),
]


class Tag(OrganizationalModel):
    """A label any tagged entity can carry (VIP, 重点客户, 渠道伙伴…).

    Tag is also the platform's proof entity: its list, detail, edit, delete, bulk edit, API,
    search and history come entirely from the generic machinery.
    """

    # Reference data: every holder of a grant on the type sees (and, per action, edits) all rows.
    access_reference_data = True

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(
        _("slug"), max_length=60, unique=True, allow_unicode=True, validators=[RegexValidator(r"^[-\w]+\Z")]
    )
    color = models.CharField(_("colour"), max_length=10, choices=COLOR_CHOICES, default="blue")
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaggedItem(models.Model):
    """Tag ↔ any row. Changes are logged on the tagged row (see framework.tags.set_tags)."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="items")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "content_type", "object_id"], name="taggeditem_unique")
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="taggeditem_object")]

    def __str__(self) -> str:
        return f"{self.tag} → {self.content_type_id}:{self.object_id}"

    @classmethod
    def merge_moved(cls, survivor: models.Model, moved: list[TaggedItem], *, actor: object) -> None:
        """A merge (``guanxi.framework.merging``) gave ``survivor`` the tags of ``moved``: its
        history shows the tags it gained, as ``set_tags`` logs any tag change."""
        from guanxi.framework.changes import record_m2m_like_change

        ct = ContentType.objects.get_for_model(type(survivor))
        names = cls.objects.filter(content_type=ct, object_id=survivor.pk).values_list("tag__name", flat=True)
        now = sorted(names)
        gained = {item.tag.name for item in moved}
        record_m2m_like_change(survivor, "tags", [n for n in now if n not in gained], now)
