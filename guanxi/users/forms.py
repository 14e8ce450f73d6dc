"""Forms of the signed-in user's own pages: login, profile and language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from guanxi.framework.forms import EntityForm
from guanxi.framework.pickers import register_source, use_picker
from guanxi.users.models import DataScope, Department, FieldAccess, Role, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Asia/Shanghai first: the company default for most installs. Then the zones customers of a
# Chinese company most often work in, then the rest of the world's business hubs.
COMMON_TIME_ZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Macau",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Bangkok",
    "Asia/Ho_Chi_Minh",
    "Asia/Jakarta",
    "Asia/Manila",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Asia/Urumqi",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Moscow",
    "Africa/Johannesburg",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "UTC",
]


def _apply_css(form: forms.BaseForm) -> None:
    """Give every widget the design system's class (``.input``, ``.select``, ``.textarea``)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            css = "select"
        elif isinstance(widget, forms.Textarea):
            css = "textarea"
        elif isinstance(widget, forms.CheckboxInput):
            continue
        else:
            css = "input"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class LoginForm(AuthenticationForm):
    """Django's login form with our widget classes and autofocus on the user name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _apply_css(self)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class StyledPasswordChangeForm(PasswordChangeForm):
    """Django's password change form with our widget classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _apply_css(self)


class ProfileForm(forms.ModelForm):
    """What a user may change about themselves: name, email, phone, language, time zone.

    Department, manager, title and permissions are the administrator's to change.
    """

    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    class Meta:
        model = User
        fields = ["name", "email", "phone", "language", "time_zone"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = settings.TIME_ZONE
        choices: list[tuple[str, StrOrPromise]] = [("", _("Company default"))]
        zones = list(COMMON_TIME_ZONES)
        current = self.instance.time_zone
        if current and current not in zones:  # keep a zone an administrator set elsewhere
            zones.insert(0, current)
        choices += [(z, z.replace("_", " ")) for z in zones]
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = choices
        help_text = _("Dates and times are shown in this zone. Company default: %(zone)s.")
        self.fields["time_zone"].help_text = help_text % {"zone": default}
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", _("Follow the browser")),
            *settings.LANGUAGES,
        ]
        self.fields["language"].help_text = _("Also changes when you pick a language from the menu.")
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        _apply_css(self)

    def clean_email(self) -> str:
        email = (self.cleaned_data.get("email") or "").strip()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another user already has this email address."))
        return email


# --- organisation: departments, users, roles, the access matrix, teams, the explanation page ----


class DepartmentForm(EntityForm):
    """A department. Changing the parent moves the whole subtree through ``move_department``."""

    class Meta:
        model = Department
        fields = ["name", "name_en", "parent", "manager", "order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial_parent_id = self.instance.parent_id
        cast(forms.ModelChoiceField, self.fields["manager"]).queryset = User.objects.filter(is_active=True)

    def clean_parent(self) -> Department | None:
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk and parent.path.startswith(self.instance.path):
            raise forms.ValidationError(
                _("A department cannot be moved under itself or one of its sub-departments.")
            )
        return parent

    def save(self, commit: bool = True) -> Department:
        from guanxi.framework.context import current_actor
        from guanxi.users.services.access import move_department

        field = self.fields.get("parent")
        editable = field is not None and not field.disabled  # a field rule may hide or freeze it
        new_parent = self.cleaned_data.get("parent") if editable else self.instance.parent
        moving = (
            editable
            and self.instance.pk is not None
            and self.initial_parent_id != getattr(new_parent, "pk", None)
        )
        if moving:
            # Save the other fields under the old parent; the move rewrites the subtree's paths.
            self.instance.parent_id = self.initial_parent_id
        dept = super().save(commit=commit)
        if moving and commit:
            dept = move_department(dept, new_parent, actor=current_actor())
        return dept


class UserForm(EntityForm):
    """A user as an administrator maintains them; roles are set through ``assign_roles``.

    A new user gets a password here (or none: they cannot sign in until one is set). Deactivating
    is a separate action on the user's page, so it can never happen by a stray form edit.
    """

    roles = forms.ModelMultipleChoiceField(queryset=Role.objects.all(), required=False, label=_("Roles"))
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to create the account without a password (it cannot sign in yet)."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    class Meta:
        model = User
        fields = [
            "username",
            "name",
            "email",
            "department",
            "manager",
            "job_title",
            "phone",
            "language",
            "time_zone",
        ]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["password"]
            self.initial["roles"] = list(self.instance.roles.values_list("pk", flat=True))
            cast(forms.ModelChoiceField, self.fields["manager"]).queryset = User.objects.filter(
                is_active=True
            ).exclude(pk=self.instance.pk)
        else:
            cast(forms.ModelChoiceField, self.fields["manager"]).queryset = User.objects.filter(
                is_active=True
            )
        zones = list(COMMON_TIME_ZONES)
        if self.instance.time_zone and self.instance.time_zone not in zones:
            zones.insert(0, self.instance.time_zone)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [
            ("", _("Company default")),
            *((z, z.replace("_", " ")) for z in zones),
        ]
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", _("Follow the browser")),
            *settings.LANGUAGES,
        ]
        self.fields["roles"].widget.attrs["size"] = 7

    def clean_manager(self) -> User | None:
        manager = self.cleaned_data.get("manager")
        seen: set[int] = set()
        boss = manager
        while boss is not None and boss.pk not in seen and self.instance.pk:
            if boss.pk == self.instance.pk:
                raise forms.ValidationError(_("This would make the user report to themselves."))
            seen.add(boss.pk)
            boss = boss.manager
        return manager

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data.get("password") or ""
        if password:
            validate_password(password, self.instance)
        return password

    def save(self, commit: bool = True) -> User:
        from guanxi.framework.context import current_actor
        from guanxi.users.services.access import assign_roles

        if "password" in self.fields:
            password = self.cleaned_data.get("password")
            if password:
                self.instance.set_password(password)
            else:
                self.instance.set_unusable_password()
        user = super().save(commit=commit)
        if commit and "roles" in self.changed_data:
            assign_roles(user, self.cleaned_data["roles"], actor=current_actor())
        return user


class RoleForm(EntityForm):
    """A role's name and members; its grants and field rules are edited on the access matrix."""

    class Meta:
        model = Role
        fields = ["name", "name_en", "description", "users"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["users"]).queryset = User.objects.filter(is_active=True)
        self.fields["users"].widget.attrs["size"] = 10


class RoleAccessForm:
    """The roles editor: entity types × (actions + data scope), then field rules per entity type.

    Input names: ``grant-<ct id>`` (checkbox values are actions), ``scope-<ct id>``, and
    ``field-<ct id>-<field>`` (empty = visible). ``parse()`` returns what the services take.
    """

    def __init__(self, role: Role, data: Any = None) -> None:
        from django.contrib.contenttypes.models import ContentType

        from guanxi.users.services.access import grantable_models, model_actions, rule_fields

        self.role, self.data = role, data
        models = grantable_models()
        cts = ContentType.objects.get_for_models(*models)
        grants = {g.content_type_id: g for g in role.grants.all()}
        rules: dict[int, dict[str, str]] = {}
        for rule in role.field_rules.all():
            rules.setdefault(rule.content_type_id, {})[rule.field_name] = rule.access
        self.rows = []
        for model in models:
            ct = cts[model]
            grant = grants.get(ct.pk)
            if data is not None:
                chosen = set(data.getlist(f"grant-{ct.pk}"))
                scope = data.get(f"scope-{ct.pk}", DataScope.OWN)
            else:
                chosen = set(grant.actions) if grant else set()
                scope = grant.scope if grant else DataScope.OWN
            fields = []
            for name, label in rule_fields(model):
                key = f"field-{ct.pk}-{name}"
                value = data.get(key, "") if data is not None else rules.get(ct.pk, {}).get(name, "")
                fields.append({"name": name, "label": label, "input": key, "value": value})
            self.rows.append(
                {
                    "ct": ct,
                    "label": str(model._meta.verbose_name_plural),
                    "actions": [
                        {"action": a, "label": label, "checked": a in chosen}
                        for a, label in model_actions(model)
                    ],
                    "scope": scope,
                    "fields": fields,
                    "restricted": sum(1 for f in fields if f["value"]),
                }
            )
        columns = self.columns
        for row in self.rows:
            by_action = {a["action"]: a for a in row["actions"]}
            row["cells"] = [by_action.get(action) for action, _label in columns]
        self.scope_choices = list(DataScope.choices)
        self.field_choices = [("", _("Visible")), *FieldAccess.choices]
        self.errors: list[str] = []

    @property
    def columns(self) -> list[tuple[str, str]]:
        """Every action any type offers, for the matrix header (standard ones first)."""
        seen: dict[str, str] = {}
        for row in self.rows:
            for a in row["actions"]:
                seen.setdefault(a["action"], a["label"])
        return list(seen.items())

    def parse(self) -> tuple[dict[Any, tuple[list[str], str]], dict[Any, dict[str, str]]]:
        grants = {
            row["ct"]: ([a["action"] for a in row["actions"] if a["checked"]], row["scope"])
            for row in self.rows
        }
        rules = {row["ct"]: {f["name"]: f["value"] for f in row["fields"]} for row in self.rows}
        return grants, rules


def colleagues(user: Any = None) -> Any:
    """Active colleagues by name: the directory people share records with (``users.colleagues``)."""
    return User.objects.filter(is_active=True).order_by("name", "username")


register_source("users.colleagues", colleagues)
# everyone, the departed last: the transfer form refuses an inactive choice with its own message
register_source("users.directory", lambda user: User.objects.order_by("-is_active", "name", "username"))


class TeamMemberForm(forms.Form):
    """Add a colleague to a record's team (or change their access)."""

    user = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Team member"))
    access = forms.ChoiceField(label=_("Access"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from guanxi.core.models import RecordShare

        super().__init__(*args, **kwargs)
        # A directory of active colleagues' names, like the owner picker: choosing whom to share
        # with must not depend on being allowed to open their user records.
        use_picker(self.fields["user"], "users.colleagues", None)  # searchable, not every employee
        self.fields["user"].error_messages["required"] = _("Choose a colleague.")
        access = cast(forms.ChoiceField, self.fields["access"])
        access.choices = RecordShare.Access.choices
        access.initial = RecordShare.Access.READ
        _apply_css(self)


class ExplainForm(forms.Form):
    """Which user, which record: the access explanation page's question."""

    user = forms.ModelChoiceField(queryset=User.objects.none(), label=_("User"))
    entity_type = forms.ChoiceField(label=_("Entity type"), choices=())
    record = forms.IntegerField(label=_("Record ID"), min_value=1)

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        from django.contrib.contenttypes.models import ContentType

        from guanxi.users.services.access import grantable_models

        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = User.objects.restrict(
            viewer, "view"
        ).order_by("username")
        models = [m for m in grantable_models() if getattr(m, "access_owner_field", None)]
        cts = ContentType.objects.get_for_models(*models)
        cast(forms.ChoiceField, self.fields["entity_type"]).choices = [
            (str(cts[m].pk), str(m._meta.verbose_name_plural).capitalize()) for m in models
        ]
        _apply_css(self)
