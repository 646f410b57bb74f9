from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "cartera.users"
    label = "users"
    verbose_name = _("Users")
