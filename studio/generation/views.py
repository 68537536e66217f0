"""Generation pages: generate, the live job card, jobs, gallery, job detail, output files.

Thin views over ``services`` (writes) and ``selectors`` (reads). Each page and
its htmx fragments come from one view and one template with partials
(``render(request, "x.html#part" if request.htmx else "x.html")``). Every job
and file is reached through ``selectors.job_for`` / ``selectors.output_for``, as
in the API: another team's job is a 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from studio.assets.selectors import asset_for, models_taking
from studio.assets.services import AssetError
from studio.files import file_response
from studio.paging import Page, keyset_page
from studio.teams.scoping import team_required, token_missing_response
from studio.teams.tokens import TeamHasNoToken
from studio.usage.pricing import job_estimate
from studio.usage.services import QuotaExceeded

from . import live, selectors, services
from .files import output_filename
from .forms import (
    GenerationForm,
    JobFilterForm,
    RunOptionsForm,
    WorkspacePreferencesForm,
    generation_form_class,
    initial_from_params,
)
from .models import Job
from .templatetags.generation import status_tone

# A completed job's files are copied in by a task just after it completes: the card
# keeps polling for them this long, then stops (a reload shows them later).
OUTPUT_WAIT_SECONDS = 600
UPSCALES = {"2": 2, "4": 4}


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows as a full page load."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# ------------------------------------------------------------------ generate


def _generate_context(
    request: HttpRequest,
    *,
    model,
    form: GenerationForm | None,
    source: Job | None = None,
    run: RunOptionsForm | None = None,
) -> dict[str, Any]:
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {
        "groups": selectors.catalogue_groups(query=query),
        "query": query,
        "model": model,
        "form": form,
        "source": source,
        "results": selectors.workspace_groups(membership=request.membership),
        "prompts": selectors.prompt_history(membership=request.membership),
        "confirm_above": selectors.confirm_above(membership=request.membership),
    }
    if model is not None and form is not None:
        run = run or RunOptionsForm()
        count = run.options()[0]
        context["form_url"] = f"{reverse('generate')}?{urlencode({'model': model.id})}"
        context["price_label"] = selectors.model_price_label(model)
        context["assets"] = selectors.team_asset_choices(team=request.team)
        context["recent_outputs"] = selectors.recent_output_choices(team=request.team)
        context["run"] = run
        context["count"] = count
        context["takes_seed"] = services.takes_seed(model)
        selectors.mark_media_fields(form)
        if "seed" in form.fields:
            form.fields["seed"].widget.attrs.update(
                placeholder="Random each run", **{"aria-describedby": "seed-help"}
            )
        estimate = selectors.generation_estimate(
            membership=request.membership, model=model, params=form.params()
        )
        context["estimate"] = estimate
        context["total_cu"] = estimate.estimate.cu * count
        context["fits"] = estimate.allowance.allows(context["total_cu"])
    return context


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() and 0 < len(text) <= 5 else None


def _picked_input(request: HttpRequest, model) -> dict[str, Any]:
    """The field values for a file chosen elsewhere: ``?asset=<uuid>`` (an asset's page) or
    ``?input=<Krea URL>&kind=&width=&height=`` ("Use as input" on an output)."""
    if request.GET.get("asset"):
        try:
            asset_uuid = UUID(request.GET["asset"])
        except ValueError:
            raise Http404("No such asset.") from None
        asset = asset_for(request.membership, asset_uuid)
        return selectors.input_initial(
            model, kind=asset.kind, url=asset.krea_url, width=asset.width, height=asset.height
        )
    if request.GET.get("input"):
        return selectors.input_initial(
            model,
            kind=request.GET.get("kind", "image"),
            url=request.GET["input"],
            width=_whole(request.GET.get("width", "")),
            height=_whole(request.GET.get("height", "")),
        )
    return {}


@team_required(needs_token=True)
@require_http_methods(["GET", "POST"])
def generate(request: HttpRequest) -> HttpResponse:
    """Pick a model, fill in its form (built from its schema), see the estimate, submit.

    GET ``?model=<id>`` shows that model's form (without it, the member's last
    model, else Flux), ``?from=<job uuid>`` a job's model and parameters to remix,
    ``?q=`` opens the picker narrowed. POST (with
    ``?model=``) submits; ``_intent=estimate`` (htmx, on every change) answers
    with the estimate only; ``_aspect=<w>x<h>`` (the presets, without JS) fills
    in width and height and shows the form again.
    """
    if request.htmx and request.htmx.target == "model-list":
        picked = selectors.catalogue_model(request.GET.get("model", ""))
        context = _generate_context(request, model=picked, form=None)
        return render(request, "generation/generate.html#model-list", context)

    source = None
    model_id = request.GET.get("model", "").strip()
    if request.GET.get("from"):
        try:
            source_uuid = UUID(request.GET["from"])
        except ValueError:
            raise Http404("No such job.") from None
        source = selectors.job_for(request.membership, source_uuid)
        model_id = model_id or source.model_id
    model = selectors.catalogue_model(model_id) if model_id else None
    if not model_id and not request.GET.get("q") and request.method == "GET":
        # Like Krea's own app: a prompt box ready at once, the model one click away.
        model = selectors.starting_model(membership=request.membership)
    if model_id and model is None:
        messages.error(request, f"Krea has no model “{model_id}” any more. Pick another one.")
        if request.method == "POST":
            return redirect("generate")
    if model is None:
        if request.method == "POST":
            return redirect("generate")
        return render(
            request, "generation/generate.html", _generate_context(request, model=None, form=None)
        )

    form_class = generation_form_class(model)
    if request.method == "GET":
        initial = initial_from_params(model, source.params if source else None)
        # The schema's default seed would buy the same image every run: a seed is only
        # filled in when the remixed job had it locked.
        seed_locked = bool(source and source.seed_locked)
        if not seed_locked:
            initial.pop("seed", None)
        initial.update(_picked_input(request, model))
        picked_style = request.GET.get("style", "").strip()[:100]
        if picked_style and "styles" in form_class.base_fields:
            # "Generate with this style": picked first, its trigger word (``prompt``) in front.
            others = [s for s in initial.get("styles") or [] if s.get("id") != picked_style]
            initial["styles"] = [{"id": picked_style, "strength": 1}, *others]
            trigger = request.GET.get("prompt", "").strip()[:100]
            if trigger and trigger not in str(initial.get("prompt") or ""):
                initial["prompt"] = f"{trigger} {initial.get('prompt') or ''}".strip()
        form = form_class(initial=initial)
        run = RunOptionsForm(initial={"seed_lock": seed_locked})
        context = _generate_context(request, model=model, form=form, source=source, run=run)
        return render(request, "generation/generate.html", context)

    intent = request.POST.get("_intent", "")
    form = form_class(request.POST)
    run = RunOptionsForm(request.POST)
    if intent == "estimate":
        form.is_valid()  # the estimate uses whatever is valid so far
        context = _generate_context(request, model=model, form=form, run=run)
        return render(request, "generation/generate.html#estimate", context)

    # A preset pressed without JS submits the form with only ``_aspect`` or ``_upscale``.
    # (htmx adds the last submit button clicked to its own requests too: those carry an
    # ``_intent``.)
    preset = None if intent else form.preset_data(request.POST)
    if preset is not None:
        form = form_class(preset)
        form.is_valid()
        form.errors.clear()  # not a submit: nothing to complain about yet
        context = _generate_context(request, model=model, form=form, run=run)
        return render(request, "generation/generate.html", context)

    count, seed_lock, confirmed = run.options()
    confirm = None
    if form.is_valid():
        params = form.params()
        cu = job_estimate(model, params).cu * count
        if not confirmed:
            confirm = selectors.confirmation_needed(membership=request.membership, cu=cu)
        if confirm is None:
            try:
                jobs = services.generation_submit_group(
                    membership=request.membership,
                    model_id=model.id,
                    params=params,
                    count=count,
                    seed_locked=seed_lock,
                )
            except TeamHasNoToken:
                return token_missing_response(request)
            except services.InvalidGeneration as exc:
                form.add_param_errors(exc.errors)
            except QuotaExceeded as exc:
                form.add_error(None, str(exc))
            else:
                return _submitted(request, model=model, form_class=form_class, jobs=jobs)
    context = _generate_context(request, model=model, form=form, run=run)
    context["confirm"] = confirm
    template = (
        "generation/generate.html#generate-panel" if request.htmx else "generation/generate.html"
    )
    return render(request, template, context)


def _submitted(request: HttpRequest, *, model, form_class, jobs: list[Job]) -> HttpResponse:
    """The submitted group joins the results at once; the form stays as it was for the next
    run, its seed emptied again unless locked (then the seed the group used)."""
    first = jobs[0]
    if not request.htmx:
        query = urlencode({"model": model.id, "from": first.uuid})
        return redirect(f"{reverse('generate')}?{query}")
    data = request.POST.copy()
    if "seed" in form_class.base_fields:
        data["seed"] = str(first.seed) if first.seed_locked else ""
    data["run-confirmed"] = ""
    form = form_class(data)
    form.is_valid()
    context = _generate_context(request, model=model, form=form, run=RunOptionsForm(data))
    context["new_group"] = selectors.job_groups(jobs)[0]
    return render(request, "generation/generate.html#submitted", context)


@team_required()
@require_GET
def prompt_history(request: HttpRequest) -> HttpResponse:
    """The member's recent prompts, ``?q=`` narrowing them; htmx gets the list alone."""
    query = request.GET.get("q", "").strip()[:200]
    context = {
        "prompts": selectors.prompt_history(membership=request.membership, query=query),
        "prompt_query": query,
    }
    if request.htmx:
        return render(request, "generation/prompt_history.html#prompt-list", context)
    return render(request, "generation/prompt_history.html", context)


# ------------------------------------------------------------------ one job


def _card_context(request: HttpRequest, job: Job, **extra: Any) -> dict[str, Any]:
    card = selectors.job_card(job)
    return {
        "job": job,
        "card": card,
        "outputs": card.outputs,
        "previews": card.previews,
        "polling": card.polling,
        "waiting_for_files": card.waiting_for_files,
        "results_at_krea": selectors.job_results_at_krea(job) if card.waiting_for_files else [],
        "may_change": selectors.job_may_change(job=job, membership=request.membership),
        "trained_style": card.trained_style,
        **extra,
    }


@team_required()
@require_GET
def job_detail(request: HttpRequest, job_uuid: UUID) -> HttpResponse:
    """A job: its live card, parameters and actions.

    htmx requests get the card alone (re-fetched when ``live.js`` says the job
    changed), or the job's row of a live list when they target ``job-row-<uuid>``.
    """
    job = selectors.job_for(request.membership, job_uuid)
    if request.htmx and (request.htmx.target or "").startswith("job-row-"):
        return render(request, "generation/_job_row.html", {"job": job})  # a live list's row
    context = _card_context(request, job)
    if request.htmx and request.htmx.target == f"job-{job.uuid}":
        return render(request, "generation/_job_tile.html", context)  # a workspace card
    if request.htmx:
        return render(request, "generation/job_detail.html#job-card", context)
    context["params"] = selectors.job_parameters(job)
    context["inputs"] = selectors.job_inputs(job)
    context["confirm_above"] = selectors.confirm_above(membership=request.membership)
    return render(request, "generation/job_detail.html", context)


@team_required()
@require_POST
def job_cancel(request: HttpRequest, job_uuid: UUID) -> HttpResponse:
    job = selectors.job_for(request.membership, job_uuid, to_change=True)
    notice = ""
    try:
        job = services.job_cancel(job=job, by=request.membership)
    except services.JobNotCancellable as exc:
        notice = str(exc)
    if request.htmx:
        job = selectors.job_for(request.membership, job_uuid)
        return render(
            request,
            "generation/job_detail.html#job-card",
            _card_context(request, job, notice=notice),
        )
    if notice:
        messages.error(request, notice)
    elif job.is_cancelling:
        messages.success(
            request, "Cancelling the job at Krea. If Krea finishes it anyway, it is charged."
        )
    else:
        messages.success(request, "The job is cancelled; nothing is charged for it.")
    return redirect("job_detail", job_uuid=job.uuid)


@team_required()
@require_http_methods(["GET", "POST"])
def job_delete(request: HttpRequest, job_uuid: UUID) -> HttpResponse:
    """Delete a finished job and its files, after a confirmation page."""
    job = selectors.job_for(request.membership, job_uuid, to_change=True)
    if not job.is_terminal:
        messages.error(request, "Cancel this job before deleting it.")
        return _redirect(request, reverse("job_detail", args=[job.uuid]))
    if request.method == "GET":
        return render(request, "generation/job_delete.html", {"job": job})
    try:
        services.job_delete(job=job, by=request.membership)
    except services.JobStillRunning as exc:
        messages.error(request, str(exc))
        return _redirect(request, reverse("job_detail", args=[job.uuid]))
    messages.success(request, "The job and its files are deleted.")
    return _redirect(request, reverse("jobs"))


@team_required()
@require_POST
def job_run_again(request: HttpRequest, job_uuid: UUID) -> HttpResponse:
    """Submit the same model with the same parameters again, as a new job.

    A new seed unless the job's was locked. Above the member's threshold it asks
    first: a page with the estimate and a button that confirms.
    """
    job = selectors.job_for(request.membership, job_uuid)
    confirm = selectors.confirmation_needed(membership=request.membership, cu=job.estimate_cu)
    if confirm is not None and request.POST.get("confirmed") != "1":
        return render(request, "generation/run_confirm.html", {"job": job, "confirm": confirm})
    try:
        new_job = services.job_run_again(membership=request.membership, job=job)
    except TeamHasNoToken:
        return token_missing_response(request)
    except services.InvalidGeneration as exc:
        messages.error(request, f"This job cannot run again as it was: {exc} Adjust it here.")
        return _redirect(request, f"{reverse('generate')}?{urlencode({'from': job.uuid})}")
    except QuotaExceeded as exc:
        messages.error(request, str(exc))
        return _redirect(request, reverse("job_detail", args=[job.uuid]))
    return _redirect(request, reverse("job_detail", args=[new_job.uuid]))


@team_required()
@require_http_methods(["GET", "POST"])
def workspace_preferences(request: HttpRequest) -> HttpResponse:
    """The member's workspace settings: above which estimate a run asks for a confirmation."""
    threshold = selectors.confirm_above(membership=request.membership)
    form = WorkspacePreferencesForm(request.POST or None, initial={"confirm_above_cu": threshold})
    if request.method == "POST" and form.is_valid():
        services.workspace_preferences_set(
            membership=request.membership,
            confirm_above_cu=form.cleaned_data["confirm_above_cu"],
        )
        messages.success(request, "Saved. Runs above this estimate ask you first.")
        return redirect("workspace_preferences")
    return render(request, "generation/workspace_preferences.html", {"form": form})


# ------------------------------------------------------------------ lists


def _filter_form(request: HttpRequest) -> JobFilterForm:
    choices = selectors.filter_choices(team=request.team)
    data = {k: v for k, v in request.GET.items() if k != "cursor"}
    return JobFilterForm(data or None, **choices)


def _next_url(url_name: str, form: JobFilterForm, page: Page) -> str:
    """The next page's address, keeping the filters (the "Load more" link)."""
    if not page.next_cursor:
        return ""
    return f"{reverse(url_name)}?{form.query_string(cursor=page.next_cursor)}"


def _listing(
    request: HttpRequest, *, name: str, queryset, template: str, part: str
) -> HttpResponse:
    """A filtered, keyset-paged list page; htmx gets the next page or the new results only."""
    form = _filter_form(request)
    page = keyset_page(queryset(form.filters()), cursor=request.GET.get("cursor", ""))
    context = {"form": form, "page": page, "next_url": _next_url(name, form, page)}
    if request.htmx and request.htmx.target == f"{part}-more":
        return render(request, f"{template}#{part}-page", context)
    if request.htmx and request.htmx.target == f"{part}-results":
        return render(request, f"{template}#{part}-results", context)
    return render(request, template, context)


@team_required()
@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    """All of the team's jobs, newest first, filtered; "Load more" pages by keyset."""
    return _listing(
        request,
        name="jobs",
        queryset=lambda filters: selectors.team_jobs(team=request.team, filters=filters),
        template="generation/jobs.html",
        part="job",
    )


# ------------------------------------------------------------------ live updates


@team_required()
@require_GET
def live_events(request: HttpRequest) -> HttpResponse:
    """What changed in the team's jobs since version ``v``: polled by ``live.js``.

    ``watch``: the running jobs the page shows (refreshed from Krea by a task, at
    most every 3 s each); ``follow``: finished ones it shows still waiting for their
    files; ``mine``: the member's jobs the page last saw running; ``t``: the page's
    live token. An unchanged version with a valid token was answered 204 by
    ``LivePollMiddleware`` before the session was read; here (no token, an expired
    one, or a change) the answer carries a fresh token: an empty 204 with it in
    ``X-Live-Token`` when the team's version is still ``v``, else JSON with the new
    version, the state of those jobs and the member's running ones, and the team's
    newest jobs.
    """
    lists = {}
    for name in ("watch", "follow", "mine"):
        try:
            lists[name] = live.job_ids(request.GET.get(name, ""))
        except ValueError as exc:
            return JsonResponse({name: f"A comma-separated list of job ids ({exc})."}, status=400)
    watch = lists["watch"]
    live.jobs_watch(team_id=request.team.pk, job_uuids=watch)
    version = live.team_version(request.team.pk)
    token = live.live_token(team_id=request.team.pk, user_id=request.user.pk)
    if request.GET.get("v") == version:
        response = HttpResponse(status=204)
        response[live.TOKEN_HEADER] = token
        return response
    jobs = selectors.live_jobs(
        membership=request.membership, uuids=[uuid for ids in lists.values() for uuid in ids]
    )
    return JsonResponse(
        {
            "version": version,
            "token": token,
            "jobs": [
                {
                    "uuid": str(job.uuid),
                    "state": live.job_live_state(job),
                    "status": job.status,
                    "label": job.get_status_display(),
                    "tone": status_tone(job.status),
                    "terminal": job.is_terminal,
                    "mine": job.created_by_id == request.user.pk,
                    "model": job.model_name,
                    "prompt": job.prompt[:120],
                    "url": reverse("job_detail", args=[job.uuid]),
                    # What its card will show from Krea while the portal copies the files:
                    # the page starts fetching it while it fetches the card.
                    "results": selectors.job_results_at_krea(job)
                    if job.group != "video" and live.job_followed(job)
                    else [],
                }
                for job in jobs
            ],
            "newest": [
                {
                    "uuid": str(uuid),
                    "url": reverse("job_detail", args=[uuid]),
                    "mine": created_by_id == request.user.pk,
                }
                for uuid, created_by_id in selectors.newest_jobs(team_id=request.team.pk)
            ],
        }
    )


# ------------------------------------------------------------------ files


@team_required()
@require_GET
def output_file(request: HttpRequest, job_uuid: UUID, position: int) -> HttpResponse:
    """An output file, to members of the job's team only; ``?download=1`` saves it."""
    output = selectors.output_for(request.membership, job_uuid, position)
    return file_response(
        request,
        output.file,
        content_type=output.mime_type,
        filename=output_filename(output),
        attachment=request.GET.get("download") == "1",
    )


@team_required()
@require_GET
def output_thumbnail(request: HttpRequest, job_uuid: UUID, position: int) -> HttpResponse:
    output = selectors.output_for(request.membership, job_uuid, position)
    if not output.thumbnail:
        raise Http404("This output has no thumbnail.")
    return file_response(
        request,
        output.thumbnail,
        content_type="image/jpeg",
        filename=output_filename(output, thumbnail=True),
    )


@team_required(needs_token=True)
@require_http_methods(["GET", "POST"])
def output_use(request: HttpRequest, job_uuid: UUID, position: int) -> HttpResponse:
    """ "Use as input": pick a model that takes this output, then open Generate with it filled.

    The field gets a URL Krea can fetch (``services.output_input_url``): the output's
    Krea URL while it answers, else the stored copy uploaded as a team asset.
    """
    output = selectors.output_for(request.membership, job_uuid, position)
    kind = "video" if output.is_video else "image"
    models = models_taking(kind=kind)
    picked = request.POST.get("model") or request.GET.get("model", "")
    context = {"output": output, "models": models, "picked": picked}
    if request.method == "GET":
        return render(request, "generation/output_use.html", context)
    model = selectors.catalogue_model(request.POST.get("model", ""))
    if model is None or model not in models:
        messages.error(
            request, f"Choose a model that takes {'a video' if kind == 'video' else 'an image'}."
        )
        return render(request, "generation/output_use.html", context, status=400)
    try:
        url = services.output_input_url(membership=request.membership, output=output)
    except AssetError as exc:
        messages.error(request, str(exc))
        return render(request, "generation/output_use.html", context, status=502)
    query = {"model": model.id, "input": url, "kind": kind}
    if output.width and output.height:
        # An upscale asks for the output's size times ``scale`` (2 or 4), as an enhancer's
        # width and height; anything else keeps the size.
        scale = UPSCALES.get(request.POST.get("scale", ""), 1)
        query.update(width=output.width * scale, height=output.height * scale)
    return redirect(f"{reverse('generate')}?{urlencode(query)}")


@team_required(needs_token=True)
@require_POST
def output_input(request: HttpRequest, job_uuid: UUID, position: int) -> JsonResponse:
    """An output picked beside a file field (the picker's recent outputs): the URL to put in it.

    The same rule as "Use as input" (``services.output_input_url``): Krea's URL while it
    answers, else the stored copy uploaded as a team asset; never a portal URL.
    """
    output = selectors.output_for(request.membership, job_uuid, position)
    try:
        url = services.output_input_url(membership=request.membership, output=output)
    except AssetError as exc:
        return JsonResponse({"error": str(exc)}, status=502)
    return JsonResponse({"url": url})
