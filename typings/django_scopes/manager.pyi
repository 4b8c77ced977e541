from typing import Any, NoReturn, Self

from django.db import models

class DisabledQuerySet[M: models.Model](models.QuerySet[M]):
    missing_scopes: set[str] | None
    def __init__(
        self, *args: Any, missing_scopes: set[str] | None = ..., **kwargs: Any
    ) -> None: ...
    def error(self, *args: Any, **kwargs: Any) -> NoReturn: ...
    def _clone(self) -> Self: ...

# At runtime `ScopedManager` is a function that builds a subclass of `_manager_class` (adding
# `with_scope`, `with_scopes_disabled` and the scoped `get_queryset`) and returns an instance
# of it. Typed here as returning an instance of `_manager_class`; `_ScopedManager` (stub only,
# no such class at runtime) names the generated class for code that subclasses it (see
# roadmap_site/models.py).
class _ScopedManager[M: models.Model](models.Manager[M]):
    def with_scope(self, **scope: Any) -> Self: ...
    def with_scopes_disabled(self) -> Self: ...

def ScopedManager[ManagerT: models.Manager[Any]](
    _manager_class: type[ManagerT] = ..., **scopes: str
) -> ManagerT: ...
