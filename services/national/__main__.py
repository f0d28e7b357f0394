"""``python -m services.national``: serve the national tier."""

from shared.platform.settings import load_settings
from shared.platform.web.serve import configure, serve

settings = load_settings("national")
configure(settings)
serve(settings)
