"""The evaluation in the admin (django-unfold): the reviewer's own queue and scoring form, and the
officers' panels (progress, results, selection, exports), conflicts, waivers and objections.

Every write goes through evaluations.services; a reviewer reaches only their own reachable
assignments (a guessed or conflicted id is a 404), an officer only their programs' panels.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin

from config.errors import DomainError
from config.inputs import is_ascii_digits
from consortia.admin import officer
from consortia.export_jobs import request_export
from consortia.models import Export
from evaluations import aggregation, exports, permissions, selectors, services
from evaluations.models import Assignment, Conflict, Objection, Panel, Review, Reviewer, Score
from programs.permissions import is_admin


@admin.register(Reviewer)
class ReviewerAdmin(ModelAdmin):
    """The reviewer pool: officers search it (to form panels), superusers maintain it."""

    list_display = ["__str__", "email", "affiliation", "department", "province", "expertise", "is_official"]
    list_filter = ["is_official", "is_available", "province"]
    search_fields = [
        "user__name",
        "user__username",
        "user__email",
        "affiliation",
        "department",
        "expertise",
    ]
    list_select_related = ["user", "province"]
    autocomplete_fields = ["user"]
    exclude = ["person"]

    @admin.display(description=gettext_lazy("email"), ordering="user__email")
    def email(self, obj: Reviewer) -> str:
        return obj.user.email

    def save_model(self, request, obj, form, change):
        services.save_reviewer(actor=request.user, reviewer=obj)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="evaluations_reviewer_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """xlsx pool import: every row error listed, nothing imported when any row fails."""
        if not is_admin(request.user):
            raise PermissionDenied
        errors: dict[str, list[str]] = {}
        if request.method == "POST" and request.FILES.get("file"):
            try:
                imported = services.import_reviewers(actor=request.user, upload=request.FILES["file"])
            except DomainError as exc:
                messages.error(request, exc.message)
                errors = exc.fields
            else:
                messages.success(request, _("%(n)d reviewers imported.") % {"n": len(imported)})
                return HttpResponseRedirect(reverse("admin:evaluations_reviewer_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import reviewers (xlsx)"),
            "columns": services.IMPORT_COLUMNS,
            "errors": sorted(errors.items()),
        }
        return TemplateResponse(request, "admin/evaluations/reviewer/import.html", context)

    def has_module_permission(self, request):
        return officer(request)

    def has_view_permission(self, request, obj=None):
        return officer(request)

    def has_add_permission(self, request):
        return is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_admin(request.user)


# --- the reviewer's work ------------------------------------------------------------------------


class ScoreForm(forms.Form):
    """Points per criterion bounded by its maximum, a comment per criterion and overall."""

    def __init__(self, *args, criteria, score: Score | None, disabled: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        items = {i.criterion_id: i for i in score.items.all()} if score else {}
        self.criteria = criteria
        for c in criteria:
            item = items.get(c.pk)
            self.fields[f"points_{c.code}"] = forms.DecimalField(
                label=f"{c.name} (0–{c.max_points.normalize():f})",
                min_value=0,
                max_value=c.max_points,
                decimal_places=2,
                required=False,
                initial=item.points if item else None,
                disabled=disabled,
            )
            self.fields[f"comment_{c.code}"] = forms.CharField(
                label=_("comment"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=item.comment if item else "",
                disabled=disabled,
            )
        self.fields["comment"] = forms.CharField(
            label=_("overall comment"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 4}),
            initial=score.comment if score else "",
            disabled=disabled,
        )

    def rows(self):
        return [(c, self[f"points_{c.code}"], self[f"comment_{c.code}"]) for c in self.criteria]

    def payload(self) -> dict:
        raw = self.data
        return {
            "points": {c.code: raw.get(f"points_{c.code}", "") for c in self.criteria},
            "comments": {c.code: raw.get(f"comment_{c.code}", "") for c in self.criteria},
            "comment": raw.get("comment", ""),
        }


@admin.register(Review)
class ReviewAdmin(ModelAdmin):
    """A reviewer's own queue (due time in Asia/Seoul, D-day, progress) and scoring form."""

    list_display = ["application_title", "panel", "due", "d_day", "progress"]
    list_display_links = ["application_title"]

    def get_queryset(self, request) -> QuerySet[Assignment]:
        return selectors.reviewer_assignments(request.user)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "pledge/<int:panel_id>/",
                self.admin_site.admin_view(self.pledge_view),
                name="{}_{}_pledge".format(*info),
            ),
            *super().get_urls(),
        ]

    @admin.display(description=gettext_lazy("application"))
    def application_title(self, obj: Assignment) -> str:
        return obj.application.title

    @admin.display(description=gettext_lazy("due (Asia/Seoul)"))
    def due(self, obj: Assignment) -> str:
        return f"{timezone.localtime(obj.panel.closes_at):%Y-%m-%d %H:%M}"

    @admin.display(description=gettext_lazy("D-day"))
    def d_day(self, obj: Assignment) -> str:
        days = (timezone.localtime(obj.panel.closes_at).date() - timezone.localdate()).days
        return f"D-{days}" if days > 0 else ("D-day" if days == 0 else f"D+{-days}")

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, obj: Assignment) -> str:
        score = getattr(obj, "score", None)
        if score is None:
            return _("not started")
        return score.get_state_display()

    def changelist_view(self, request, extra_context=None):
        unsigned = list(selectors.unsigned_panels(request.user))
        if unsigned:
            info = self.opts.app_label, self.opts.model_name
            return HttpResponseRedirect(
                reverse("admin:{}_{}_pledge".format(*info), args=[unsigned[0].panel_id])
            )
        return super().changelist_view(request, extra_context)

    def pledge_view(self, request, panel_id: int):
        member = selectors.unsigned_panels(request.user).filter(panel=panel_id).first()
        if member is None:
            raise Http404
        if request.method == "POST" and request.POST.get("agree") == "yes":
            services.sign_pledge(actor=request.user, panel_id=panel_id)
            messages.success(
                request, _("Pledge signed at %(at)s.") % {"at": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
            )
            return HttpResponseRedirect(reverse("admin:evaluations_review_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Security and impartiality pledge"),
            "panel": member.panel,
        }
        return TemplateResponse(request, "admin/evaluations/review/pledge.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            assignment = selectors.reviewer_assignments(request.user).get(pk=int(object_id))
        except (Assignment.DoesNotExist, ValueError):
            raise Http404 from None
        sheet = selectors.review_sheet(assignment)
        score = sheet["score"]
        panel = assignment.panel
        read_only = (score is not None and score.state != Score.State.DRAFT) or not panel.is_open_at(
            timezone.now()
        )
        form = ScoreForm(request.POST or None, criteria=sheet["criteria"], score=score, disabled=read_only)
        if request.method == "POST" and not read_only:
            action = request.POST.get("action")
            try:
                if action == "declare":
                    services.declare_conflict(
                        actor=request.user,
                        assignment_id=assignment.pk,
                        reason=request.POST.get("conflict_reason", ""),
                    )
                    messages.success(
                        request, _("Conflict declared: the application was removed from your queue.")
                    )
                    return HttpResponseRedirect(reverse("admin:evaluations_review_changelist"))
                services.save_score(
                    actor=request.user,
                    assignment_id=assignment.pk,
                    submit=action == "submit",
                    **form.payload(),
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                for field, errs in exc.fields.items():
                    name = field.replace("points.", "points_").replace("comments.", "comment_")
                    if name in form.fields:
                        for e in errs:
                            form.add_error(name, e)
            else:
                messages.success(request, _("Score submitted.") if action == "submit" else _("Draft saved."))
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": assignment.application.title,
            "assignment": assignment,
            "application": sheet["application"],
            "budget": sheet["budget"],
            "score": score,
            "form": form,
            "read_only": read_only,
            "closes_at": timezone.localtime(panel.closes_at),
        }
        return TemplateResponse(request, "admin/evaluations/review/score.html", context)

    def has_module_permission(self, request):
        return permissions.is_reviewer(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_reviewer(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- officers: panels ---------------------------------------------------------------------------


@admin.register(Panel)
class PanelAdmin(ModelAdmin):
    """Officers' panels: progress, results (raw, trimmed, normalised, spread), selection, exports."""

    list_display = ["name", "call", "track", "region", "stage", "window", "assigned", "scored", "state"]
    list_filter = ["stage", "call"]
    list_select_related = ["call", "track", "region"]
    search_fields = ["name", "call__title"]

    def get_queryset(self, request):
        qs = (
            super()
            .get_queryset(request)
            .annotate(
                n_assigned=Count(
                    "assignments", filter=Q(assignments__withdrawn_at__isnull=True), distinct=True
                ),
                n_scored=Count(
                    "assignments",
                    filter=Q(
                        assignments__withdrawn_at__isnull=True,
                        assignments__score__state=Score.State.SUBMITTED,
                    ),
                    distinct=True,
                ),
            )
        )
        return qs if is_admin(request.user) else qs.filter(call__program__officers=request.user)

    @admin.display(description=gettext_lazy("scoring window"))
    def window(self, obj: Panel) -> str:
        opens, closes = timezone.localtime(obj.opens_at), timezone.localtime(obj.closes_at)
        return f"{opens:%m-%d %H:%M} – {closes:%m-%d %H:%M}"

    @admin.display(description=gettext_lazy("assigned"))
    def assigned(self, obj: Panel) -> int:
        return obj.n_assigned

    @admin.display(description=gettext_lazy("scored"))
    def scored(self, obj: Panel) -> int:
        return obj.n_scored

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj: Panel) -> str:
        if obj.results_notified_at:
            return _("results notified")
        if obj.selection_confirmed_at:
            return _("selection confirmed")
        return _("closed") if obj.is_closed else _("scoring")

    def get_urls(self):
        return [
            path(
                "<int:pk>/export/",
                self.admin_site.admin_view(self.export_view),
                name="evaluations_panel_export",
            ),
            path(
                "<int:pk>/sheet/<int:application_id>/",
                self.admin_site.admin_view(self.sheet_view),
                name="evaluations_panel_sheet",
            ),
            *super().get_urls(),
        ]

    def _panel(self, request, pk) -> Panel:
        try:
            return self.get_queryset(request).select_related("call__program", "track").get(pk=int(pk))
        except (Panel.DoesNotExist, ValueError):
            raise Http404 from None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        panel = self._panel(request, object_id)
        if request.method == "POST":
            action = request.POST.get("action")
            try:
                if action == "close":
                    services.close_panel(actor=request.user, panel_id=panel.pk)
                    messages.success(request, _("The panel is closed."))
                elif action == "confirm":
                    selected = [
                        int(x)
                        for x in request.POST.getlist("selected")
                        if is_ascii_digits(x) and len(x) <= 18
                    ]
                    reasons = {
                        int(k.removeprefix("reason_")): v
                        for k, v in request.POST.items()
                        if k.startswith("reason_") and is_ascii_digits(k.removeprefix("reason_"))
                    }
                    services.confirm_selection(
                        actor=request.user, panel_id=panel.pk, selected=selected, reasons=reasons
                    )
                    messages.success(request, _("The selection is confirmed."))
                elif action == "notify":
                    services.notify_results(actor=request.user, panel_id=panel.pk)
                    messages.success(request, _("The applicants are notified."))
                elif action == "recompute":
                    withdrawn = services.recompute_conflicts(panel_id=panel.pk)
                    messages.success(
                        request,
                        _("Conflicts recomputed; %(n)d assignments withdrawn.") % {"n": len(withdrawn)},
                    )
            except DomainError as exc:
                messages.error(request, exc.message)
                for field, errs in exc.fields.items():
                    messages.error(request, f"{field}: {' '.join(errs)}")
            else:
                return HttpResponseRedirect(request.path)
        results = selectors.panel_results(panel)
        proposed = selectors.proposed_selection(panel, results)
        confirmed = {e.application_id: e for e in panel.selection.all()}
        rows = []
        for r in results:
            entry = confirmed.get(r.application_id)
            rows.append(
                {
                    "r": r,
                    "app": r.extra["application"],
                    "region": r.extra["region"],
                    "totals": [aggregation.display(t) for t in r.totals],
                    "score": aggregation.display(r.score),
                    "final": aggregation.display(r.final),
                    "bonus": aggregation.display(r.bonus),
                    "spread": aggregation.display(r.spread),
                    "normalised": None if r.normalised is None else f"{r.normalised:+.2f}",
                    "proposed": r.application_id in proposed,
                    "entry": entry,
                    "checked": entry.selected if entry else r.application_id in proposed,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": panel.name,
            "panel": panel,
            "progress": selectors.panel_progress(panel),
            "rows": rows,
            "criteria": list(panel.criteria.all()),
            "conflicts": selectors.conflicts_for(panel)[:200],
        }
        return TemplateResponse(request, "admin/evaluations/panel/page.html", context)

    def export_view(self, request, pk):
        """The results table: a job of the export machinery, then its progress page."""
        panel = self._panel(request, pk)  # 404 for a panel of another program
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        export = request_export(
            actor=request.user, kind=Export.Kind.PANEL_RESULTS, params={"panel_id": panel.pk}
        )
        return HttpResponseRedirect(reverse("admin:consortia_export_status", args=[export.pk]))

    def sheet_view(self, request, pk, application_id):
        panel = self._panel(request, pk)
        if not selectors.panel_applications(panel).filter(pk=application_id).exists():
            raise Http404
        return exports.score_sheet_response(panel, application_id)

    def has_module_permission(self, request):
        return officer(request)

    def has_view_permission(self, request, obj=None):
        return officer(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "cols": 80})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


def _reason_step(modeladmin, request, queryset, *, title: str, form_class, apply) -> HttpResponse | None:
    """The intermediate page of an action that needs a reason; `apply(obj, form)` per row."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        done = 0
        for obj in queryset:
            try:
                apply(obj, form.cleaned_data)
                done += 1
            except DomainError as exc:
                modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
            except PermissionDenied:
                modeladmin.message_user(request, f"{obj}: {_('not allowed')}", messages.ERROR)
        if done:
            modeladmin.message_user(request, _("%(n)d done.") % {"n": done}, messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": title,
        "objects": list(queryset),
        "form": form,
        "action": request.POST.get("action"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/evaluations/reason.html", context)


@admin.register(Conflict)
class ConflictAdmin(ModelAdmin):
    """Computed and declared conflicts with their reasons; a waiver is an officer's recorded decision."""

    list_display = ["panel", "application", "reviewer", "kind", "detail", "waived"]
    list_filter = ["kind", "panel"]
    list_select_related = ["panel", "application", "reviewer__user"]
    actions = ["waive"]

    def get_queryset(self, request):
        from django.db.models import Exists, OuterRef

        from evaluations.models import Waiver

        waived = Waiver.objects.filter(
            panel=OuterRef("panel"), application=OuterRef("application"), reviewer=OuterRef("reviewer")
        )
        qs = super().get_queryset(request).annotate(is_waived=Exists(waived))
        return qs if is_admin(request.user) else qs.filter(panel__call__program__officers=request.user)

    @admin.display(description=gettext_lazy("waived"), boolean=True)
    def waived(self, obj) -> bool:
        return obj.is_waived

    @admin.action(description=gettext_lazy("Waive (with the reason)"), permissions=["waive"])
    def waive(self, request, queryset):
        return _reason_step(
            self,
            request,
            queryset,
            title=_("Waive the conflict"),
            form_class=ReasonForm,
            apply=lambda c, data: services.waive_conflict(
                actor=request.user,
                panel_id=c.panel_id,
                application_id=c.application_id,
                reviewer_id=c.reviewer_id,
                reason=data["reason"],
            ),
        )

    def has_waive_permission(self, request):
        return officer(request)

    def has_module_permission(self, request):
        return officer(request)

    def has_view_permission(self, request, obj=None):
        return officer(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Objection)
class ObjectionAdmin(ModelAdmin):
    list_display = ["result", "filed_at", "answer_due", "upheld", "answered_at"]
    list_select_related = ["result__panel", "result__application"]
    readonly_fields = [
        "result",
        "filed_by",
        "filed_at",
        "text",
        "answer_due",
        "answer",
        "upheld",
        "answered_at",
    ]
    actions = ["uphold", "dismiss"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return (
            qs if is_admin(request.user) else qs.filter(result__panel__call__program__officers=request.user)
        )

    def _answer(self, request, queryset, upheld: bool):
        return _reason_step(
            self,
            request,
            queryset,
            title=_("Uphold: reopen the review") if upheld else _("Dismiss"),
            form_class=AnswerForm,
            apply=lambda o, data: services.answer_objection(
                actor=request.user, objection_id=o.pk, answer=data["answer"], upheld=upheld
            ),
        )

    @admin.action(description=gettext_lazy("Uphold (reopens the review)"), permissions=["answer"])
    def uphold(self, request, queryset):
        return self._answer(request, queryset, True)

    @admin.action(description=gettext_lazy("Dismiss"), permissions=["answer"])
    def dismiss(self, request, queryset):
        return self._answer(request, queryset, False)

    def has_answer_permission(self, request):
        return officer(request)

    def has_module_permission(self, request):
        return officer(request)

    def has_view_permission(self, request, obj=None):
        return officer(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
