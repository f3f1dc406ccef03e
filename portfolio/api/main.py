"""The NinjaAPI instance behind /api/v1/: authentication, error handlers and the resource routers."""

from ninja import NinjaAPI

from portfolio.api.auth import SessionAuth, TokenAuth
from portfolio.api.docs import LocalSwagger
from portfolio.api.errors import install_handlers
from portfolio.api.pagination import MAX_LIMIT
from portfolio.api.routes import (
    assignments,
    findings,
    library,
    portfolios,
    practices,
    responsibilities,
    services,
    teams,
    waivers,
)

DESCRIPTION = f"""
The JSON API of Value Chain Compass, for CMDBs, pipelines and scripts.

**Authentication.** Send a personal token as `Authorization: Bearer <token>`; create one on
the account's API tokens page (`/account/tokens/`). A read-only token gets 403 on every write.
The app's own pages use the browser session instead, with the CSRF token in `X-CSRFToken`.

**Access.** The portfolio roles of the app apply: viewers read, editors write, owners accept
and revoke waivers. A portfolio you are not a member of answers 404, like one that does not exist.

**Lists** take `limit` (1 to {MAX_LIMIT}, default 50) and `offset`, and return `items` and `count`.

**Errors** are `{{"detail": "sentence"}}`. Invalid input answers 422 with a list instead:
`{{"detail": [{{"loc": ["body", "name"], "msg": "…", "type": "…"}}]}}`, where `loc` says where the
value was sent (`body`, `query`, `path`) and names the field.

**Concurrency.** A service read returns an `ETag`. PUT and PATCH on a service need `If-Match`
with it: without the header they answer 428, with an ETag that is no longer current 412, and
nothing changes. `If-Match: *` overwrites whatever is stored.
"""

api = NinjaAPI(
    title="Value Chain Compass API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    docs=LocalSwagger(),
)
install_handlers(api)

for module in (portfolios, teams, services, assignments, responsibilities, practices, waivers, findings,
               library):
    api.add_router("", module.router)
