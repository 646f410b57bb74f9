"""Settings of the API benchmark's server: the application's, with the bare reference views mounted."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "api_floor"
