"""Reads of statements: for public pages, and for their owners."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from undersigned.core.recent import recent
from undersigned.core.textdiff import paragraphs
from undersigned.statements.models import Membership, Statement, StatementText, TextRevision

# Statements with their texts, as loaded, by (id, updated): a new `updated` is a new entry, so an
# entry is never stale. Shared read-only by the threads of this process.
_loaded: dict[tuple[int, str], Statement] = {}
_LOADED_MAX = 256
_TABLE = Statement._meta.db_table
VERSION_SQL = f"SELECT id, updated FROM {_TABLE} WHERE slug = %s AND state <> %s"  # noqa: S608
VERSION_BY_ID_SQL = f"SELECT id, updated FROM {_TABLE} WHERE id = %s"  # noqa: S608


def _iso(value) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _version(sql: str, params: list) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _current(sql: str, params: list) -> Statement | None:
    """The statement the version query finds, loaded only when this process has not seen that
    version yet. Every signature runs this; plain SQL costs a tenth of the ORM query here, and
    the answer is kept for a moment (core/recent.py)."""
    row = recent(("statement", sql, *params), lambda: _version(sql, params))
    if row is None:
        return None
    key = (row[0], _iso(row[1]))
    statement = _loaded.get(key)
    if statement is None:
        statement = Statement.objects.prefetch_related("texts").get(pk=row[0])
        if len(_loaded) >= _LOADED_MAX:
            _loaded.clear()
        _loaded[key] = statement
    return statement


def public_statement_get(*, slug: str) -> Statement:
    """A statement a reader may see (open or closed), with its texts; 404 otherwise."""
    statement = _current(VERSION_SQL, [slug, Statement.State.DRAFT])
    if statement is None:
        raise Http404("no such statement")
    return statement


def statement_with_texts(*, pk: int) -> Statement:
    """Any statement with its texts, by id (for jobs, which know ids)."""
    statement = _current(VERSION_BY_ID_SQL, [pk])
    if statement is None:
        raise Statement.DoesNotExist(pk)
    return statement


def statement_version_key(statement: Statement) -> tuple:
    """Everything about a statement a public page shows, as a cache key: `updated` moves with
    every change of the statement and of its texts (see services)."""
    return (statement.pk, statement.updated.isoformat())


def member_statements(user, can: str | None = None) -> QuerySet[Statement]:
    """The statements a signed-in user coordinates in any role (all of them for a superuser),
    or with `can` only those where their role allows it (see Membership.CAN)."""
    statements = Statement.objects.prefetch_related("texts").order_by("-created")
    if user.is_superuser:
        return statements
    roles = [role for role, allowed in Membership.CAN.items() if can is None or can in allowed]
    mine = Membership.objects.filter(user=user, role__in=roles).values("statement_id")
    return statements.filter(pk__in=mine)


def owned_statements(user) -> QuerySet[Statement]:
    """The statements a user owns (all for a superuser): the admin's scope."""
    return member_statements(user, "members")


def statement_for(*, user, slug: str, can: str | None) -> Statement:
    """The one authorization check of the workspace: the statement `slug` if the user's role on
    it allows `can` (any role with None); 404 for anybody else, whether or not it exists."""
    statement = member_statements(user, can).filter(slug=slug).first()
    if statement is None:
        raise Http404("no such statement among yours")
    return statement


def owned_statement_get(*, user, slug: str) -> Statement:
    """A statement this user owns; 404 for anybody else (whether or not it exists)."""
    return statement_for(user=user, slug=slug, can="members")


def role_of(user, statement: Statement) -> str | None:
    """The user's role on the statement ("owner" for a superuser); None without one."""
    if user.is_superuser:
        return Membership.Role.OWNER
    return (
        Membership.objects.filter(user=user, statement=statement)
        .values_list("role", flat=True)
        .first()
    )


def capabilities(user, statement: Statement) -> set[str]:
    """What the user's role on the statement allows (Membership.CAN); empty without one."""
    role = role_of(user, statement)
    return Membership.CAN[role] if role else set()


@dataclass(frozen=True)
class LanguageState:
    code: str
    name: str
    text: StatementText | None
    # "source" (the first language), "missing", "up_to_date" or "needs_update".
    state: str


def language_states(statement: Statement) -> list[LanguageState]:
    """Each language of the site for this statement: the first language is the source; a
    translation is up to date while it was last saved against the source's current version."""
    texts = {t.language: t for t in statement.texts.all()}
    source = texts.get(statement.default_language)
    states = []
    for code, name in settings.LANGUAGES:
        text = texts.get(code)
        if code == statement.default_language:
            state = "source" if text else "missing"
        elif text is None:
            state = "missing"
        elif source is not None and text.source_version != source.version:
            state = "needs_update"
        else:
            state = "up_to_date"
        states.append(LanguageState(code=code, name=str(name), text=text, state=state))
    return states


def translation_rows(statement: Statement, language: str) -> list[dict]:
    """The first language's paragraphs beside this language's, with the source paragraphs that
    changed since the translation was last saved marked (compared with the source revision the
    translation was saved against, paragraph by paragraph)."""
    texts = {t.language: t for t in statement.texts.all()}
    source, target = texts.get(statement.default_language), texts.get(language)
    if source is None:
        return []
    now = paragraphs(source.body)
    then: list[str] | None = None
    if target is not None and target.source_version:
        revision = TextRevision.objects.filter(
            statement=statement,
            language=statement.default_language,
            version=target.source_version,
        ).first()
        then = paragraphs(revision.body) if revision else None
    theirs = paragraphs(target.body) if target else []
    rows = []
    for i in range(max(len(now), len(theirs))):
        source_paragraph = now[i] if i < len(now) else ""
        stale = target is not None and target.source_version != source.version
        changed = stale and (then is None or i >= len(then) or then[i] != source_paragraph)
        rows.append(
            {
                "n": i + 1,
                "source": source_paragraph,
                "target": theirs[i] if i < len(theirs) else "",
                "needs_update": changed,
            }
        )
    return rows


def open_checklist(statement: Statement) -> list[str]:
    """What stops the statement from opening, in the reader's language; [] when it may open.
    Every language that has a text has both a title and a body; the first language has one;
    a closing date is still ahead."""
    problems = []
    texts = {t.language: t for t in statement.texts.all()}
    names = dict(settings.LANGUAGES)
    if statement.default_language not in texts:
        problems.append(
            _("The first language (%(language)s) has no text yet.")
            % {"language": names[statement.default_language]}
        )
    for code, text in texts.items():
        if not text.title.strip() or not text.body.strip():
            problems.append(
                _("The %(language)s text needs a title and a body.") % {"language": names[code]}
            )
    if statement.closes_at and statement.closes_at <= timezone.now():
        problems.append(_("The closing date has passed: change it in the settings first."))
    return problems


def revision_for(statement: Statement, language: str, version: str) -> TextRevision | None:
    """The words of one version of one language's text (what a signature signed)."""
    return TextRevision.objects.filter(
        statement=statement, language=language, version=version
    ).first()


def public_revisions(statement: Statement) -> dict[str, list[TextRevision]]:
    """Each language's public versions, oldest first: the statement's public history."""
    history: dict[str, list[TextRevision]] = {}
    rows = TextRevision.objects.filter(statement=statement, public_since__isnull=False)
    for revision in rows.order_by("language", "public_since", "pk"):
        history.setdefault(revision.language, []).append(revision)
    return history


def previous_public_revision(revision: TextRevision) -> TextRevision | None:
    """The public version of the same text before this one."""
    if revision.public_since is None:
        return None
    return (
        TextRevision.objects.filter(
            statement_id=revision.statement_id,
            language=revision.language,
            public_since__lt=revision.public_since,
        )
        .order_by("-public_since")
        .first()
    )


def text_changed_on(statement: Statement, language: str):
    """When the public text in this language last changed after it first went public; None
    while it is the first public version."""
    dates = list(
        TextRevision.objects.filter(
            statement=statement, language=language, public_since__isnull=False
        )
        .order_by("-public_since")
        .values_list("public_since", flat=True)[:2]
    )
    return dates[0] if len(dates) > 1 else None


def open_statements() -> QuerySet[Statement]:
    return Statement.objects.filter(state=Statement.State.OPEN).prefetch_related("texts")


@dataclass(frozen=True)
class TextChoice:
    text: StatementText
    # True when the reader's language has no text and another one is shown.
    is_fallback: bool
    # The other languages this statement can be read in, as (code, name) pairs.
    others: list[tuple[str, str]]


def statement_text_for(statement: Statement, language: str) -> TextChoice | None:
    texts = {t.language: t for t in statement.texts.all()}
    if not texts:
        return None
    text = texts.get(language)
    fallback = text is None
    if text is None:
        text = texts.get(statement.default_language) or next(iter(texts.values()))
    names = dict(settings.LANGUAGES)
    others = [(code, str(names[code])) for code in names if code in texts and code != text.language]
    return TextChoice(text=text, is_fallback=fallback, others=others)
