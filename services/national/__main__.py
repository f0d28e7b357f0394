"""``python -m services.national``: serve the national tier."""

from services.national.app import build_app
from shared.settings import load_settings
from shared.web.serve import configure, serve

settings = load_settings("national")
configure(settings)
serve(settings, build_app(settings))
