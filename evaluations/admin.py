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
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
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
from evaluations.forms import PanelForm, apply_panel_errors, rubric_formsets
from evaluations.models import (
    Assignment,
    AssignmentRun,
    Conflict,
    Objection,
    Panel,
    Review,
    Reviewer,
    Score,
)
from programs.models import Call
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
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/edit/", view(self.edit_view), name="evaluations_panel_edit"),
            path(
                "reviewer-search/", view(self.reviewer_search_view), name="evaluations_panel_reviewer_search"
            ),
            path("<int:pk>/runs/", view(self.start_run_view), name="evaluations_panel_start_run"),
            path("runs/<int:run_id>/", view(self.run_view), name="evaluations_panel_run"),
            path(
                "runs/<int:run_id>/cancel/", view(self.cancel_run_view), name="evaluations_panel_run_cancel"
            ),
            path("runs/<int:run_id>/apply/", view(self.apply_run_view), name="evaluations_panel_run_apply"),
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
            "runs": list(panel.assignment_runs.all()[:5]),
            "editable": not panel.selection_confirmed_at
            and not Score.objects.filter(assignment__panel=panel, state=Score.State.SUBMITTED).exists(),
        }
        return TemplateResponse(request, "admin/evaluations/panel/page.html", context)

    # -- creating and editing: forms validate, create_panel / update_panel write ------------

    def _calls(self, request) -> QuerySet[Call]:
        calls = Call.objects.select_related("program").order_by("-opens_at", "pk")
        return calls if is_admin(request.user) else calls.filter(program__officers=request.user)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self._panel_form(request, None)

    def edit_view(self, request, pk):
        return self._panel_form(request, self._panel(request, pk))

    def _panel_form(self, request, panel: Panel | None):
        initial = None
        if panel is not None:
            seats = list(panel.panel_members.all())
            initial = {
                **{name: getattr(panel, name) for name in PanelForm.SETTINGS},
                "call": panel.call,
                "track": panel.track,
                "region": panel.region,
                "tie_break": panel.tie_break_criterion.code if panel.tie_break_criterion else "",
                "chair": next((m.reviewer_id for m in seats if m.is_chair), None),
                "members": [m.reviewer_id for m in seats if not m.is_chair],
            }
        data = request.POST if request.method == "POST" else None
        form = PanelForm(data, calls=self._calls(request), panel=panel, initial=initial)
        criteria, bonus = rubric_formsets(data, panel=panel, extra=0 if panel else 4)
        general: list[str] = []
        if data is not None and form.is_valid() & criteria.is_valid() & bonus.is_valid():
            settings = form.settings()
            try:
                if panel is None:
                    saved = services.create_panel(
                        actor=request.user,
                        call=form.cleaned_data["call"],
                        track=form.cleaned_data["track"],
                        criteria=criteria.rows(),
                        bonus_items=bonus.rows(),
                        **settings,
                    )
                else:
                    saved = services.update_panel(
                        actor=request.user,
                        panel_id=panel.pk,
                        criteria=criteria.rows(),
                        bonus_items=bonus.rows(),
                        **settings,
                    )
            except DomainError as exc:
                general = apply_panel_errors(exc, form, criteria, bonus)
            except PermissionDenied:
                form.add_error("call", _("You are not an officer of this call's program."))
            else:
                messages.success(
                    request,
                    (
                        _("The panel %(name)s was created.")
                        if panel is None
                        else _("The panel %(name)s was saved.")
                    )
                    % {"name": saved.name},
                )
                return HttpResponseRedirect(reverse("admin:evaluations_panel_change", args=[saved.pk]))
        locked = None
        if (
            panel is not None
            and Score.objects.filter(assignment__panel=panel, state=Score.State.SUBMITTED).exists()
        ):
            locked = _("A score has been submitted: the panel can no longer be edited.")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Add a panel") if panel is None else _("Edit %(name)s") % {"name": panel.name},
            "panel": panel,
            "form": form,
            "criteria": criteria,
            "bonus": bonus,
            "general": general if data is not None else [],
            "locked": locked,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/evaluations/panel/form.html", context)

    def reviewer_search_view(self, request):
        """The pool for the chair and members pickers (select2): 20 a page."""
        if not officer(request):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()[:100]
        qs = Reviewer.objects.filter(is_available=True).select_related("user")
        if term:
            qs = qs.filter(
                Q(user__name__icontains=term)
                | Q(user__username__icontains=term)
                | Q(affiliation__icontains=term)
                | Q(expertise__icontains=term)
            )
        page = request.GET.get("page", "1")
        page = int(page) if is_ascii_digits(page) and len(page) <= 6 else 1
        rows = list(qs.order_by("user__name", "pk")[(page - 1) * 20 : page * 20 + 1])
        label = PanelForm.base_fields["members"].label_from_instance
        return JsonResponse(
            {
                "results": [{"id": str(r.pk), "text": label(r)} for r in rows[:20]],
                "pagination": {"more": len(rows) > 20},
            }
        )

    # -- assignment runs: start, progress (htmx), cancel, review, apply ----------------------

    def _run(self, request, run_id: int) -> AssignmentRun:
        if not officer(request):
            raise PermissionDenied
        run = (
            AssignmentRun.objects.filter(pk=run_id, panel__in=self.get_queryset(request).values("pk"))
            .select_related("panel__call", "panel__track", "started_by")
            .first()
        )
        if run is None:
            raise Http404  # another program's run: not even its existence
        return run

    def start_run_view(self, request, pk):
        if request.method != "POST":
            raise PermissionDenied
        panel = self._panel(request, pk)
        try:
            run = services.start_assignment_run(actor=request.user, panel_id=panel.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("admin:evaluations_panel_change", args=[panel.pk]))
        return HttpResponseRedirect(reverse("admin:evaluations_panel_run", args=[run.pk]))

    def run_view(self, request, run_id):
        run = self._run(request, run_id)
        fragment = bool(request.headers.get("HX-Request"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Assignment run #%(n)d") % {"n": run.pk},
            "run": run,
            "panel": run.panel,
            "step": services.RUN_STEPS.get(run.message, run.message),
            "polling": run.state in (AssignmentRun.State.QUEUED, AssignmentRun.State.RUNNING),
            "cancellable": run.state
            in (AssignmentRun.State.QUEUED, AssignmentRun.State.RUNNING, AssignmentRun.State.PROPOSED),
            "proposal": selectors.run_proposal(run) if run.state == AssignmentRun.State.PROPOSED else None,
            "applied": selectors.run_proposal(run) if run.state == AssignmentRun.State.APPLIED else None,
            "explanation": (
                selectors.run_explanation(run) if run.state == AssignmentRun.State.INFEASIBLE else None
            ),
        }
        template = "admin/evaluations/panel/_run.html" if fragment else "admin/evaluations/panel/run.html"
        return TemplateResponse(request, template, context)

    def cancel_run_view(self, request, run_id):
        run = self._run(request, run_id)
        if request.method != "POST":
            raise PermissionDenied
        services.cancel_assignment_run(actor=request.user, run_id=run.pk)
        messages.success(request, _("The assignment run was cancelled."))
        return HttpResponseRedirect(reverse("admin:evaluations_panel_run", args=[run.pk]))

    def apply_run_view(self, request, run_id):
        run = self._run(request, run_id)
        if request.method != "POST":
            raise PermissionDenied
        try:
            created = services.apply_assignment_run(actor=request.user, run_id=run.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            for field, errs in exc.fields.items():
                messages.error(request, f"{field}: {' '.join(errs)}")
            return HttpResponseRedirect(reverse("admin:evaluations_panel_run", args=[run.pk]))
        messages.success(request, _("%(n)d assignments were made.") % {"n": len(created)})
        return HttpResponseRedirect(reverse("admin:evaluations_panel_change", args=[run.panel_id]))

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
        return officer(request)

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
