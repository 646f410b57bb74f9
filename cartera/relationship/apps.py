from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationshipConfig(AppConfig):
    name = "cartera.relationship"
    label = "relationship"
    verbose_name = _("Relationship")
