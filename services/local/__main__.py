"""``python -m services.local``: serve the local tier."""

from shared.platform.settings import load_settings
from shared.platform.web.serve import configure, serve

settings = load_settings("local")
configure(settings)
serve(settings)
