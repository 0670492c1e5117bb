from django import template

from undersigned.statements.selectors import can

register = template.Library()


@register.simple_tag(takes_context=True)
def user_can(context, statement, what: str) -> bool:
    """Whether the signed-in user's role on `statement` allows `what` (Membership.CAN): the
    navigation shows only the pages the role opens."""
    user = context["request"].user
    return bool(statement) and user.is_authenticated and can(user, statement, what)
