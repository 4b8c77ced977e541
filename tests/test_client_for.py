"""The `client_for` fixture signs in as the member it names, and nobody else."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model

from roadmap_site.models import Role


@pytest.mark.parametrize(
    ("role", "email", "org_name", "member_role"),
    [
        ("admin", "admin@northwind.test", "Northwind", Role.ADMIN),
        ("editor", "editor@northwind.test", "Northwind", Role.EDITOR),
        ("viewer", "viewer@northwind.test", "Northwind", Role.VIEWER),
        ("outsider", "outsider@contoso.test", "Contoso", Role.ADMIN),
    ],
)
def test_each_role_is_its_own_member(client_for, role, email, org_name, member_role):
    client = client_for(role)

    user = get_user_model().objects.get(pk=client.session[SESSION_KEY])
    assert user.email == email
    membership = user.memberships.get()
    assert (membership.org.name, membership.role) == (org_name, member_role)


def test_an_unknown_role_is_an_error(client_for):
    with pytest.raises(ValueError, match="the roles are admin, editor, viewer, outsider"):
        client_for("owner")
