"""The quiz admin: build a quiz, publish it as a frozen version, watch the funnel.

An editor builds a quiz from its own page (questions inline, each question one
click from its options), previews the draft, and publishes it from there or
with the list action. Versions and attempts are records: readable, never
editable. Partners get their public key generated and shown, never typed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from careerquiz.web.history import GuardedHistoryAdmin
from ladder.admin import (
    COMPACT_TEXT,
    LadderTaggedSelect,
    RungDropdownMixin,
    SizedInputsMixin,
    SortableMixin,
)
from ladder.admin_rows import LabelledRowsMixin
from ladder.models import Rung
from ladder.positions import PositionedFormSet, positioned_form
from quiz import rules
from quiz.changes import VersionSummary, version_summary
from quiz.models import Attempt, Option, Question, Quiz, QuizVersion
from quiz.publish_checks import PublishChecks, checks_for
from quiz.versions import (
    NotPublishable,
    has_unpublished_changes,
    placement_map,
    publish,
    snapshot,
    unpublish,
)

STATUS_NOT_PUBLISHED = "Not published"
STATUS_PUBLISHED = "Published v{number}"
STATUS_DRAFT_CHANGED = "Draft with unpublished changes (live: v{number})"

MSG_PUBLISHED = "Published “{quiz}” as version {number}."
MSG_REPUBLISHED = "Published “{quiz}” again as version {number}: nothing changed since then."
MSG_UNCHANGED = "“{quiz}” has no changes since version {number}; nothing new to publish."
MSG_NOT_PUBLISHABLE = "“{quiz}” was not published: {problem}."
MSG_UNPUBLISHED = "“{quiz}” is no longer published: visitors cannot start it."
MSG_ALREADY_UNPUBLISHED = "“{quiz}” was not published."
MSG_WARNINGS_CHANGED = (
    "“{quiz}” was not published: its warnings changed since the confirmation was shown. "
    "Read them again."
)
# The admin's history of a quiz (LogEntry) records each change of its live version.
LOG_PUBLISHED = "Published version {number}."
LOG_UNPUBLISHED = "Unpublished version {number}."
# The name of the field a confirmation posts back: the fingerprint of the warnings it showed.
SEEN_FIELD = "warnings-seen-{pk}"


def pretty_json(value: Any) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


def quiz_status(quiz: Quiz) -> str:
    live = quiz.live_version
    if live is None:
        return STATUS_NOT_PUBLISHED
    if has_unpublished_changes(quiz):
        return STATUS_DRAFT_CHANGED.format(number=live.number)
    return STATUS_PUBLISHED.format(number=live.number)


def publish_with_feedback(request: HttpRequest, quiz: Quiz) -> QuizVersion | None:
    """Publish one draft and tell the editor what happened; nothing is published on problems."""
    newest = quiz.versions.aggregate(number=Max("number"))["number"] or 0
    was_live = quiz.live_version_id
    try:
        version = publish(quiz, by=request.user.get_username())
    except NotPublishable as error:
        for problem in error.problems:
            messages.error(request, MSG_NOT_PUBLISHABLE.format(quiz=quiz, problem=problem))
        return None
    if version.number > newest:
        message = MSG_PUBLISHED
    elif version.pk == was_live:
        message = MSG_UNCHANGED
    else:
        message = MSG_REPUBLISHED
    messages.success(request, message.format(quiz=quiz, number=version.number))
    return version


def unpublish_with_feedback(request: HttpRequest, quiz: Quiz) -> None:
    message = MSG_UNPUBLISHED if quiz.live_version_id else MSG_ALREADY_UNPUBLISHED
    unpublish(quiz)
    messages.success(request, message.format(quiz=quiz))


@dataclass(frozen=True, kw_only=True)
class PublishReview:
    """One quiz as a publish confirmation shows it: its checks and what publishing changes."""

    quiz: Quiz
    status: str
    checks: PublishChecks
    changes: VersionSummary | None  # None: nothing is live yet, everything is new

    @property
    def seen_field(self) -> str:
        return SEEN_FIELD.format(pk=self.quiz.pk)


def review_for_publishing(quiz: Quiz) -> PublishReview:
    live = quiz.live_version
    return PublishReview(
        quiz=quiz,
        status=quiz_status(quiz),
        checks=checks_for(quiz),
        changes=version_summary(live.document.to_json(), snapshot(quiz)) if live else None,
    )


# --- Quiz --------------------------------------------------------------------------------


class QuestionListInline(
    SortableMixin, LabelledRowsMixin, SizedInputsMixin, admin.TabularInline[Question, Quiz]
):
    """The quiz's questions, one line each: number, text, and a link to the question's
    own page, where its answers are edited with it.

    Only a few fields per question, never per answer: Django refuses a form of more
    than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields, which a quiz showing every
    answer of 14 questions already reached.
    """

    model = Question
    template = "admin/quiz/quiz/question_list.html"
    fields = ("position", "key", "text", "kind", "answers")
    readonly_fields = ("key", "kind", "answers")
    input_sizes = {"text": 70}
    ordering = ("position", "id")
    show_change_link = True
    extra = 0
    verbose_name_plural = "questions (each with its answers on its own page)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a question is added on its own page, with its answers in the same save

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        questions: QuerySet[Question] = super().get_queryset(request)
        return questions.annotate(option_total=Count("options"))

    @admin.display(description="role")
    def kind(self, question: Question) -> str:
        return question.get_role_display().split(" (")[0]  # "Evidence", not its explanation

    @admin.display(description="answers")
    def answers(self, question: Question) -> str:
        total: int = getattr(question, "option_total", 0)  # see get_queryset
        url = reverse("admin:quiz_question_change", args=[question.pk])
        return format_html(
            '<a href="{}" title="Edit the question and its answers">{} answers</a>', url, total
        )


@admin.register(Quiz)
class QuizAdmin(GuardedHistoryAdmin[Quiz]):
    list_display = ("title", "slug", "ladder", "status", "question_count", "updated_at")
    list_filter = ("ladder",)
    search_fields = ("title", "slug", "intro")
    list_select_related = ("ladder", "live_version")
    prepopulated_fields = {"slug": ("title",)}
    change_list_template = "admin/content/change_list.html"  # with "Import a content file"
    # live_version is never a form field: only publish/unpublish move it.
    fieldsets = (
        (None, {"fields": ("title", "slug", "ladder", "intro", "threshold", "status", "versions")}),
        (
            "Placement map",
            {
                "fields": ("placement_map",),
                "description": "The saved draft: each work question's answers by the rung "
                "they are evidence of, and what the quiz cannot tell apart.",
            },
        ),
    )
    readonly_fields = ("status", "versions", "placement_map")
    formfield_overrides = COMPACT_TEXT
    inlines = (QuestionListInline,)
    actions = ("publish_drafts", "unpublish_quizzes")

    def get_inlines(self, request: HttpRequest, obj: Quiz | None) -> Any:
        # A new quiz gets its questions once saved (change_form.html says so).
        return self.inlines if obj is not None else ()

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        quiz = context.get("original")
        if quiz is not None and request.user.has_perm("quiz.add_question"):
            last = quiz.questions.aggregate(last=Max("position"))["last"]
            query = f"?quiz={quiz.pk}&position={0 if last is None else last + 1}"
            context["add_question_url"] = reverse("admin:quiz_question_add") + query
        return super().render_change_form(request, context, *args, **kwargs)

    class Media:
        css = {"all": ("css/admin-sortable.css",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quiz]:
        # The list shows each quiz's status, which compares its draft with the live
        # version: with_draft() fetches every listed draft in a few queries, not per row.
        return Quiz.objects.with_draft().annotate(question_total=Count("questions"))

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="{}_{}_publish".format(*info),
            ),
            path(
                "<path:object_id>/unpublish/",
                self.admin_site.admin_view(self.unpublish_view),
                name="{}_{}_unpublish".format(*info),
            ),
            *super().get_urls(),
        ]

    @admin.display(description="status")
    def status(self, quiz: Quiz) -> str:
        return quiz_status(quiz) if quiz.pk else STATUS_NOT_PUBLISHED

    @admin.display(description="questions", ordering="question_total")
    def question_count(self, quiz: Quiz) -> int:
        total: int = quiz.question_total  # type: ignore[attr-defined]  # see get_queryset
        return total

    @admin.display(description="map")
    def placement_map(self, quiz: Quiz) -> str:
        if not quiz.pk:
            return "—"
        return render_to_string("admin/quiz/quiz/placement_map.html", {"map": placement_map(quiz)})

    @admin.display(description="published versions")
    def versions(self, quiz: Quiz) -> str:
        if not quiz.pk:
            return "—"
        url = reverse("admin:quiz_quizversion_changelist") + f"?quiz__id__exact={quiz.pk}"
        return format_html('<a href="{}">{} published</a>', url, quiz.versions.count())

    @admin.action(description="Publish the drafts of the selected quizzes", permissions=["change"])
    def publish_drafts(
        self, request: HttpRequest, queryset: QuerySet[Quiz]
    ) -> TemplateResponse | None:
        """First a confirmation listing each quiz's checks and changes, then the publishing."""
        quizzes = list(queryset.order_by("title"))
        if request.POST.get("post") != "yes":
            return self._bulk_confirmation(request, quizzes)
        for quiz in quizzes:
            self._publish(request, quiz)
        return None

    @admin.action(description="Unpublish the selected quizzes", permissions=["change"])
    def unpublish_quizzes(self, request: HttpRequest, queryset: QuerySet[Quiz]) -> None:
        for quiz in queryset.select_related("live_version"):
            self._unpublish(request, quiz)

    def _publish(self, request: HttpRequest, quiz: Quiz) -> bool:
        """Publish unless the warnings differ from those the editor confirmed; log it."""
        checks = checks_for(quiz)
        if checks.publishable and not checks.confirmed_by(
            request.POST.get(SEEN_FIELD.format(pk=quiz.pk), "")
        ):
            messages.warning(request, MSG_WARNINGS_CHANGED.format(quiz=quiz))
            return False
        was_live = quiz.live_version_id
        version = publish_with_feedback(request, quiz)
        if version is not None and version.pk != was_live:
            self.log_change(request, quiz, LOG_PUBLISHED.format(number=version.number))
        return version is not None

    def _unpublish(self, request: HttpRequest, quiz: Quiz) -> None:
        live = quiz.live_version
        unpublish_with_feedback(request, quiz)
        if live is not None:
            self.log_change(request, quiz, LOG_UNPUBLISHED.format(number=live.number))

    def _bulk_confirmation(self, request: HttpRequest, quizzes: list[Quiz]) -> TemplateResponse:
        reviews = [review_for_publishing(quiz) for quiz in quizzes]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Publish the selected quizzes",
            "reviews": reviews,
            "publishable": sum(1 for review in reviews if review.checks.publishable),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/quiz/quiz/bulk_publish_confirmation.html", context)

    def _quiz_for_change(self, request: HttpRequest, object_id: str) -> Quiz:
        quiz: Quiz | None = self.get_object(request, unquote(object_id))
        if quiz is None:
            raise Http404
        if not self.has_change_permission(request, quiz):
            raise PermissionDenied
        return quiz

    def _confirmation(self, request: HttpRequest, quiz: Quiz, intent: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": quiz,
            "title": f"{intent.capitalize()} “{quiz}”",
            "intent": intent,
            "status": quiz_status(quiz),
            "review": review_for_publishing(quiz) if intent == "publish" else None,
            "preview_url": reverse("quiz:preview", args=[quiz.slug]),
        }
        return TemplateResponse(request, "admin/quiz/quiz/publish_confirmation.html", context)

    def _back_to_change(self, quiz: Quiz) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:quiz_quiz_change", args=[quiz.pk]))

    @method_decorator(require_http_methods(["GET", "HEAD", "POST"]))
    def publish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        quiz = self._quiz_for_change(request, object_id)
        # Back to the quiz once published, or refused (the errors are in the messages);
        # warnings that changed since the confirmation was shown are shown again.
        if request.method == "POST" and (
            self._publish(request, quiz) or not checks_for(quiz).publishable
        ):
            return self._back_to_change(quiz)
        return self._confirmation(request, quiz, "publish")

    @method_decorator(require_http_methods(["GET", "HEAD", "POST"]))
    def unpublish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        quiz = self._quiz_for_change(request, object_id)
        if request.method == "POST":
            self._unpublish(request, quiz)
            return self._back_to_change(quiz)
        return self._confirmation(request, quiz, "unpublish")


# --- Questions and options -----------------------------------------------------------------


def _object_being_edited[M: models.Model](request: HttpRequest, model: type[M]) -> M | None:
    """The object of the admin change page this request is for, if any."""
    match = request.resolver_match
    object_id = match.kwargs.get("object_id") if match else None
    if object_id is None:
        return None
    try:
        return model._default_manager.filter(pk=unquote(object_id)).first()
    except (ValueError, ValidationError):
        return None


def rungs_for_question(question: Question | None) -> QuerySet[Rung]:
    """Rungs an option of this question may point at: those of its quiz's ladder.

    Rungs the options already point at stay listed too, so an option left on
    another ladder's rung shows up (and Option.clean explains it) instead of
    failing as an anonymous "invalid choice". A new question lists every ladder's
    rungs, each tagged with its ladder: the page offers those of the quiz chosen.
    """
    if question is None:
        return Rung.objects.all()
    quiz_ladder = Quiz.objects.filter(pk=question.quiz_id).values("ladder_id")
    chosen = question.options.filter(rung__isnull=False).values("rung_id")
    return Rung.objects.filter(Q(ladder_id__in=quiz_ladder) | Q(pk__in=chosen))


def _home_ladder(question: Question | None) -> int | None:
    if question is None:
        return None
    ladder_id: int | None = (
        Quiz.objects.filter(pk=question.quiz_id).values_list("ladder_id", flat=True).first()
    )
    return ladder_id


class OptionInlineFormSet(PositionedFormSet[Option, Question]):
    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            # Django's own "is this form being deleted" test; not in the type stubs.
            and not self._should_delete_form(form)  # type: ignore[attr-defined]
        ]
        if not kept:
            raise ValidationError(rules.as_sentence(rules.MSG_NO_OPTIONS))


class OptionInline(
    SortableMixin,
    LabelledRowsMixin,
    RungDropdownMixin,
    SizedInputsMixin,
    admin.TabularInline[Option, Question],
):
    model = Option
    formset = OptionInlineFormSet
    fields = ("position", "key", "text", "rung", "track", "skill", "advice", "note")
    input_sizes = {"key": 12, "text": 40, "skill": 18, "track": 12}
    ordering = ("position", "id")
    formfield_overrides = COMPACT_TEXT
    extra = 1

    def rung_queryset(self, request: HttpRequest) -> QuerySet[Rung]:
        question = _object_being_edited(request, Question)
        return rungs_for_question(question)

    def home_ladder_id(self, request: HttpRequest) -> int | None:
        # An existing question's rungs are its quiz's: "1. Junior", not the ladder first
        # (a narrow dropdown would show only the ladder's name).
        return _home_ladder(_object_being_edited(request, Question))


@admin.register(Question)
class QuestionAdmin(SizedInputsMixin, GuardedHistoryAdmin[Question]):
    list_display = ("text", "quiz", "key", "role", "weight", "required", "position", "options")
    list_filter = ("quiz", "role", "required")
    search_fields = ("key", "text", "advice")
    list_select_related = ("quiz",)
    ordering = ("quiz__title", "position", "id")
    fields = (
        ("quiz", "quiz_page"),
        ("key", "position"),
        "text",
        "help",
        ("role", "weight", "required", "shuffle"),
        "dimension",
        "advice",
    )
    readonly_fields = ("quiz_page",)
    input_sizes = {"text": 80}
    formfield_overrides = COMPACT_TEXT
    form = positioned_form("quiz")
    inlines = (OptionInline,)

    class Media:
        js = ("js/admin-rung-choices.js",)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "quiz":
            kwargs.setdefault("widget", LadderTaggedSelect)  # answers follow the quiz's ladder
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # "Save" on a question leads back to its quiz, where its questions are listed.
    def response_post_save_add(self, request: HttpRequest, obj: Question) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:quiz_quiz_change", args=[obj.quiz_id]))

    def response_post_save_change(
        self, request: HttpRequest, obj: Question
    ) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:quiz_quiz_change", args=[obj.quiz_id]))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        questions: QuerySet[Question] = super().get_queryset(request)
        return questions.annotate(option_total=Count("options"))

    @admin.display(description="options", ordering="option_total")
    def options(self, question: Question) -> int:
        total: int = question.option_total  # type: ignore[attr-defined]  # see get_queryset
        return total

    @admin.display(description="back to")
    def quiz_page(self, question: Question) -> str:
        if not question.quiz_id:
            return "—"
        url = reverse("admin:quiz_quiz_change", args=[question.quiz_id])
        return format_html('<a href="{}">the quiz and its other questions</a>', url)


@admin.register(Option)
class OptionAdmin(RungDropdownMixin, GuardedHistoryAdmin[Option]):
    list_display = ("text", "key", "question", "rung", "skill", "position")
    list_filter = ("question__quiz", "question__role")
    search_fields = ("key", "text", "skill", "question__key")
    list_select_related = ("question", "rung")
    ordering = ("question__quiz__title", "question__position", "position")
    fields = (
        "question",
        ("key", "position"),
        "text",
        ("rung", "track"),
        "skill",
        "advice",
        "note",
        "notes",
    )
    formfield_overrides = COMPACT_TEXT
    form = positioned_form("question")

    def rung_queryset(self, request: HttpRequest) -> QuerySet[Rung]:
        option = _object_being_edited(request, Option)
        return rungs_for_question(option.question if option else None)

    def home_ladder_id(self, request: HttpRequest) -> int | None:
        option = _object_being_edited(request, Option)
        return _home_ladder(option.question if option else None)


# --- Published versions ---------------------------------------------------------------------


class ReadOnlyAdmin[M: models.Model](admin.ModelAdmin[M]):
    """Records, not content: they can be looked at, never added, changed or deleted."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(QuizVersion)
class QuizVersionAdmin(ReadOnlyAdmin[QuizVersion]):
    list_display = ("__str__", "quiz", "number", "published_at", "published_by", "is_live")
    list_filter = ("quiz",)
    list_select_related = ("quiz",)
    fields = ("quiz", "number", "published_at", "published_by", "is_live", "frozen_quiz")
    readonly_fields = fields

    @admin.display(description="live", boolean=True)
    def is_live(self, version: QuizVersion) -> bool:
        return version.quiz.live_version_id == version.pk

    @admin.display(description="snapshot")
    def frozen_quiz(self, version: QuizVersion) -> str:
        return pretty_json(version.snapshot)


# --- Attempts and the funnel -----------------------------------------------------------------


class CompletedFilter(admin.SimpleListFilter):
    title = "completed"
    parameter_name = "completed"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [("yes", "Completed"), ("no", "Not completed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Attempt]) -> QuerySet[Attempt]:
        if self.value() == "yes":
            return queryset.filter(completed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(completed_at__isnull=True)
        return queryset


@dataclass(frozen=True, kw_only=True)
class FunnelRow:
    label: str
    started: int
    completed: int

    @property
    def completion_rate(self) -> str:
        return f"{self.completed / self.started:.0%}" if self.started else "—"


@dataclass(frozen=True, kw_only=True)
class Funnel:
    total: FunnelRow
    by_channel: list[FunnelRow]


def funnel_for(attempts: QuerySet[Attempt]) -> Funnel:
    """Started vs completed for these attempts, in total and per channel (one query)."""
    labels = dict(Attempt.Channel.choices)
    rows = [
        FunnelRow(
            label=labels.get(row["channel"], row["channel"]),
            started=row["started"],
            completed=row["completed"],
        )
        for row in attempts.order_by("channel")
        .values("channel")
        .annotate(started=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False)))
    ]
    total = FunnelRow(
        label="All channels",
        started=sum(row.started for row in rows),
        completed=sum(row.completed for row in rows),
    )
    return Funnel(total=total, by_channel=rows)


# Registered by careerquiz.partners.admin, which adds who brought each attempt and
# whose attempts a user may read: partners live in an app above this one.
class AttemptAdmin(ReadOnlyAdmin[Attempt]):
    list_display = (
        "started_at",
        "quiz",
        "version_number",
        "channel",
        "region",
        "placed_at",
        "completed_at",
    )
    list_filter = ("quiz", "channel", CompletedFilter, "region")
    list_select_related = ("quiz", "version")
    date_hierarchy = "started_at"
    search_fields = ("result_id", "rung_slug")
    fields = (
        ("quiz", "version"),
        ("channel", "region"),
        ("started_at", "completed_at", "step_reached"),
        ("rung_slug", "rung_order", "confidence_label"),
        ("claimed_title", "claimed_rung_slug"),
        "result_id",
        "given_answers",
        "stored_result",
    )
    readonly_fields = flatten(fields)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        # The funnel follows the list's filters, which exist only once the
        # ChangeList is built; the response renders lazily, so add it now.
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["funnel"] = funnel_for(context["cl"].queryset)
        return response

    @admin.display(description="placed at", ordering="rung_order")
    def placed_at(self, attempt: Attempt) -> str:
        return attempt.rung_slug

    @admin.display(description="version", ordering="version__number")
    def version_number(self, attempt: Attempt) -> str:
        return f"v{attempt.version.number}"

    @admin.display(description="answers")
    def given_answers(self, attempt: Attempt) -> str:
        return pretty_json(attempt.answers)

    @admin.display(description="result")
    def stored_result(self, attempt: Attempt) -> str:
        return pretty_json(attempt.result)
