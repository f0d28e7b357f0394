"""``python -m services.national``: serve the national tier."""

from shared.settings import load_settings
from shared.web.serve import configure, serve

settings = load_settings("national")
configure(settings)
serve(settings)
