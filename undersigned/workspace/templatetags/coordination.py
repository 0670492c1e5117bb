from django import template

from undersigned.statements.selectors import capabilities

register = template.Library()


@register.simple_tag(takes_context=True)
def user_can(context, statement) -> set[str]:
    """What the signed-in user's role on `statement` allows (Membership.CAN), looked up once
    per page: the navigation shows only the pages the role opens."""
    user = context["request"].user
    if not statement or not user.is_authenticated:
        return set()
    return capabilities(user, statement)
