"""ETags from versions, and the If-Match precondition every update needs."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from cartera.api.problems import Problem


def etag_for(instance: models.Model) -> str:
    """W/"account-12-v3": the model, the id and the version (the update time for unversioned models)."""
    version = getattr(instance, "version", None)
    if version is None:
        stamp = getattr(instance, "updated_at", None)
        version = int(stamp.timestamp() * 1000) if stamp is not None else 0
    return f'W/"{instance._meta.model_name}-{instance.pk}-v{version}"'


def with_etag(response: HttpResponse, instance: models.Model) -> None:
    response["ETag"] = etag_for(instance)


def _tags(header: str) -> list[str]:
    tags = []
    for raw in header.split(","):
        tag = raw.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tags.append(tag)
    return tags


def required_version(request: HttpRequest, instance: Any) -> int:
    """The version the client read, from If-Match: 428 without the header, 412 when it is not current."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise Problem(428, _("Send the ETag of your last read in an If-Match header."))
    current = etag_for(instance)
    if current.removeprefix("W/") not in _tags(header):
        raise Problem(
            412,
            _("This record changed since you read it: read it again and repeat your change."),
            headers={"ETag": current},
        )
    return int(getattr(instance, "version", 0))
