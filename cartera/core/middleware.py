"""Middleware of the web process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, quiet about a STATIC_ROOT that does not exist: when it serves the source files
    (WHITENOISE_USE_FINDERS), no collectstatic has to have run."""

    def add_files(self, root: str, prefix: Any = None) -> None:
        if self.use_finders and not Path(root).is_dir():
            return
        super().add_files(root, prefix)


class LanguageMiddleware(LocaleMiddleware):
    """Spanish unless the person chose otherwise: the language switch's cookie, else the signed-in
    user's language, else LANGUAGE_CODE.

    The browser's Accept-Language is not consulted: many of cartera's Spanish-speaking users run
    English-language systems and still expect the product in Spanish. Must come after
    AuthenticationMiddleware.
    """

    def process_request(self, request: HttpRequest) -> None:
        translation.activate(self.chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    @staticmethod
    def chosen_language(request: HttpRequest) -> str:
        supported = {code for code, _name in settings.LANGUAGES}
        user = getattr(request, "user", None)
        candidates = (
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
            getattr(user, "language", None) if user is not None and user.is_authenticated else None,
        )
        return next((code for code in candidates if code in supported), settings.LANGUAGE_CODE)
