"""Request-body parsers of the API: Django REST framework's, refusing NUL characters in any string.

PostgreSQL refuses NUL in text columns (and in JSON values), so a ``"\\u0000"`` anywhere in a body
— a name, a tag slug, a custom-field value, a key — would surface as a 500 at the first query or
save. Serializer fields refuse it for plain character fields, but JSON fields, tags and nested
data do not pass through them. The parsers check the whole parsed body once, for every endpoint,
and answer 400 with the message on the path of each offending value (``custom_fields.region``,
``0.name`` in a bulk list), in the API's usual error shape.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from guanxi.framework.middleware import NUL_MESSAGE, has_nul


def nul_errors(data: Any) -> Any:
    """Errors shaped like the data for every string holding a NUL (empty when there is none):
    a message list for a string (or a list of strings such as tags), a dict by key for an object,
    a dict by index for a list of objects (bulk items)."""
    message = [str(NUL_MESSAGE)]
    if has_nul(data):
        return message
    if isinstance(data, QueryDict):  # form bodies: a field's several values are that field's
        return {
            key.replace("\x00", ""): message
            for key, values in data.lists()
            if has_nul(key) or any(has_nul(v) for v in values)
        }
    if isinstance(data, dict):
        errors: dict[str, Any] = {}
        for key, value in data.items():
            name = str(key)
            if has_nul(name):
                errors[name.replace("\x00", "")] = message
            elif found := nul_errors(value):
                errors[name] = found
        return errors
    if isinstance(data, list | tuple):
        if any(has_nul(item) for item in data):
            return message
        return {str(index): found for index, item in enumerate(data) if (found := nul_errors(item))}
    return {}


def refuse_nul(data: Any) -> Any:
    errors = nul_errors(data)
    if errors:
        raise ValidationError(errors if isinstance(errors, dict) else {"non_field_errors": errors})
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return refuse_nul(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return refuse_nul(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        result = super().parse(stream, media_type, parser_context)
        refuse_nul(result.data)
        return result
