"""Which addresses webhooks may be sent to: never the machine itself or the private network, unless the
operator lists the hosts allowed (CARTERA_WEBHOOK_ALLOWED_HOSTS, as the tests do with 127.0.0.1)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _invalid(message: Any) -> ValidationError:
    return ValidationError({"url": ValidationError(message, code="invalid_url")})


def ensure_deliverable_url(url: str) -> None:
    """Raise ValidationError unless `url` is http(s) to a host webhooks may reach.

    With CARTERA_WEBHOOK_ALLOWED_HOSTS set, the host must be one of those; otherwise every address the
    name resolves to must be public (no loopback, private, link-local or reserved ranges), so that a
    subscription cannot be used to probe the internal network.
    """
    parts = urlsplit(url or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _invalid(_("Enter an http or https address."))
    if parts.username or parts.password:
        raise _invalid(_("The address may not carry a user name or password."))
    allowed = getattr(settings, "CARTERA_WEBHOOK_ALLOWED_HOSTS", None)
    if allowed is not None:
        if parts.hostname not in allowed:
            raise _invalid(_("Webhooks may only be sent to: %(hosts)s.") % {"hosts": ", ".join(allowed)})
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise _invalid(_("This host name does not resolve.")) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise _invalid(_("Webhooks may not be sent to private or local addresses."))
