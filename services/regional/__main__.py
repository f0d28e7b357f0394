"""``python -m services.regional``: serve the regional tier."""

from shared.platform.settings import load_settings
from shared.platform.web.serve import configure, serve

settings = load_settings("regional")
configure(settings)
serve(settings)
