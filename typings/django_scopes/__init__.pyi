from django_scopes.exceptions import ScopeError as ScopeError
from django_scopes.manager import ScopedManager as ScopedManager
from django_scopes.state import get_scope as get_scope
from django_scopes.state import scope as scope
from django_scopes.state import scopes_disabled as scopes_disabled

version: str
