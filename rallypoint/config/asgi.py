"""The ASGI application: Django, behind the fast path of tracked links (``/r/<code>``),
which also handles the server's lifespan (see ``rallypoint.links.fastpath``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rallypoint.config.settings")

django_application = get_asgi_application()

from rallypoint.links.fastpath import RedirectFastPath  # noqa: E402 (needs Django set up)

application = RedirectFastPath(django_application)
