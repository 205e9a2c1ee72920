"""schemathesis hooks for scripts/api-fuzz/run (loaded through SCHEMATHESIS_HOOKS).

`/api/packages/search` and `/api/packages/upload` are operations of their
own, and OpenAPI gives a concrete path precedence over a template
(`/api/packages/{name}`); the names are reserved, so no package has them.
schemathesis does not apply that precedence: a generated `name` of `search`
would reach the search operation and be judged against the package schema.
Such cases test the path table, not the operation, and are left out of
generation here. (GET on the upload path is documented: 405, which
schemathesis reaches through the service index in its stateful phase.)
"""

import schemathesis

RESERVED = {"search", "upload"}


@schemathesis.hook
def filter_path_parameters(ctx, path_parameters):
    operation = getattr(ctx, "operation", None)
    if operation is not None and operation.path == "/api/packages/{name}":
        return (path_parameters or {}).get("name") not in RESERVED
    return True
