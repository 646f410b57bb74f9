"""The attribute values a consumer can have, shared by the models and the profile rules."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgeBand(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    AGE_18_24 = "18_24", _("18 to 24")
    AGE_25_34 = "25_34", _("25 to 34")
    AGE_35_44 = "35_44", _("35 to 44")
    AGE_45_54 = "45_54", _("45 to 54")
    AGE_55_64 = "55_64", _("55 to 64")
    AGE_65_PLUS = "65_plus", _("65 or older")


class ConsumerChannel(models.TextChoices):
    STORE = "store", _("Store")
    ONLINE = "online", _("Online store")
    MARKETPLACE = "marketplace", _("Marketplace")
    PHONE = "phone", _("Phone")
