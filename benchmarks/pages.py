"""Server time and queries of the listing pages with a big team beside a small one.

Two teams in one database: a big one (``--jobs``, 100,000 by default) and a small one
(``--small``, 1,000 jobs). Each listing page is measured for both, beside the floor:
the password-change page (the same base layout, login and team, no listing) in the
same run, in turns (one request to each page per round, so that load from other work
on the machine weighs on them alike). Goals (issue 15): every listing page of the big
team at most 3x the floor and at most 1.3x the same page of the small team, with the
same number of queries.

Uses DATABASE_URL when set (PostgreSQL in earnest: seeding there uses COPY), else a
temporary SQLite.

    .venv/bin/python benchmarks/pages.py [--jobs 100000] [--small 1000] [--requests 30]
"""

import argparse
import statistics
import tempfile
import time

from _setup import django_setup

FLOOR_GOAL = 3.0
GROWTH_GOAL = 1.3
MODELS = [
    ("image/bfl/flux-1-dev", "Flux 1 Dev", "image"),
    ("video/google/veo-3.1", "Veo 3.1", "video"),
    ("image/retired/old-model", "A retired model", "image"),  # not in the catalogue any more
]
ASSETS_PER_JOB = 1 / 50
STYLES = 60


def _copy(model, objects) -> None:
    """Insert ``objects`` with PostgreSQL's COPY (bulk_create elsewhere)."""
    from django.db import connection

    objects = list(objects)
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objects:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


def _insert_select(model, template, varying: dict[str, str], source: str, params: list) -> None:
    """PostgreSQL: ``INSERT INTO <model> SELECT ... <source>``, every column from
    ``template`` except the ``varying`` ones: ``(SQL expression over source, *its params)``."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns, values, constants = [], [], []
    for field in fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.column in varying:
            given = varying[field.column]
            expression, *arguments = (given,) if isinstance(given, str) else given
            values.append(expression)
            constants += arguments
        else:
            values.append("%s")
            constants.append(field.get_db_prep_save(field.pre_save(template, True), connection))
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, constants + params)


def _seed_jobs_in_database(membership, have: int, count: int, now) -> None:
    """PostgreSQL: the jobs and outputs written by the database itself (a million in a
    few minutes), the same rows ``seed`` writes elsewhere."""
    from studio.generation.models import Job, JobStatus, Output

    team, user = membership.team, membership.user
    template = Job(team=team, created_by=user, estimate_cu=3, charged_cu=3, params={})
    batch = 100_000
    for start in range(have, count, batch):
        end = min(start + batch, count) - 1
        _insert_select(
            Job,
            template,
            {
                "uuid": "md5(random()::text || n::text)::uuid",
                "model_id": f"CASE WHEN n %% 7 <> 0 THEN '{MODELS[0][0]}' WHEN n %% 1000 <> 0 "
                f"THEN '{MODELS[1][0]}' ELSE '{MODELS[2][0]}' END",
                "model_name": f"CASE WHEN n %% 7 <> 0 THEN '{MODELS[0][1]}' WHEN n %% 1000 <> 0 "
                f"THEN '{MODELS[1][1]}' ELSE '{MODELS[2][1]}' END",
                "group": "CASE WHEN n %% 7 <> 0 OR n %% 1000 = 0 THEN 'image' ELSE 'video' END",
                "params": "jsonb_build_object('prompt', 'scene number ' || n)",
                "prompt": "'scene number ' || n",
                "status": f"CASE WHEN n %% 10 = 0 THEN '{JobStatus.FAILED}' "
                f"ELSE '{JobStatus.COMPLETED}' END",
                "krea_job_id": f"'krea-{team.pk}-' || n",
                "created_at": ("%s::timestamptz - make_interval(secs => %s - n)", now, count),
                "finished_at": ("%s::timestamptz - make_interval(secs => %s - n - 5)", now, count),
            },
            "FROM generate_series(%s, %s) AS n",
            [start, end],
        )
        _insert_select(
            Output,
            Output(
                team=team,
                position=0,
                mime_type="image/png",
                size=123456,
                width=1024,
                height=1024,
                source_url="https://gen.krea.ai/x.png",
            ),
            {
                "job_id": "j.id",
                "file": "'outputs/bench/' || j.uuid || '.png'",
                "thumbnail": "'thumbnails/bench/' || j.uuid || '.jpg'",
                "created_at": "j.finished_at",
            },
            "FROM generation_job j WHERE j.team_id = %s AND j.status = %s "
            "AND j.krea_job_id = ANY(%s)",
            [team.pk, JobStatus.COMPLETED, [f"krea-{team.pk}-{n}" for n in range(start, end + 1)]],
        )
        print(f"    seeded {end + 1:,} jobs", flush=True)


def seed(membership, count: int) -> None:
    """``count`` finished jobs (one output per completed job), some assets, some styles."""
    from django.db import connection, transaction
    from django.utils import timezone

    from studio.assets.models import Asset
    from studio.generation.models import Job, JobStatus, Output
    from studio.styles.models import Style

    team = membership.team
    have = Job.objects.filter(team=team).count()
    now = timezone.now()
    batch = 20_000
    if connection.vendor == "postgresql":
        _seed_jobs_in_database(membership, have, count, now)
        have = count
    for start in range(have, count, batch):
        jobs = []
        for n in range(start, min(start + batch, count)):
            model_id, name, group = MODELS[0 if n % 7 else (1 if n % 1000 else 2)]
            jobs.append(
                Job(
                    team=team,
                    created_by=membership.user,
                    model_id=model_id,
                    model_name=name,
                    group=group,
                    params={"prompt": f"scene number {n}"},
                    prompt=f"scene number {n}",
                    status=JobStatus.COMPLETED if n % 10 else JobStatus.FAILED,
                    estimate_cu=3,
                    charged_cu=3,
                    krea_job_id=f"krea-{team.pk}-{n}",
                    created_at=now - timezone.timedelta(seconds=count - n),
                    finished_at=now - timezone.timedelta(seconds=count - n - 5),
                )
            )
        with transaction.atomic():
            _copy(Job, jobs)
            # Outputs from the rows just written: their ids are only known now.
            created = Job.objects.filter(team=team, krea_job_id__in=[j.krea_job_id for j in jobs])
            _copy(
                Output,
                (
                    Output(
                        job_id=pk,
                        team=team,
                        position=0,
                        file=f"outputs/bench/{uuid}.png",
                        thumbnail=f"thumbnails/bench/{uuid}.jpg",
                        mime_type="image/png",
                        size=123456,
                        width=1024,
                        height=1024,
                        source_url="https://gen.krea.ai/x.png",
                        created_at=finished,
                    )
                    for pk, uuid, finished in created.filter(
                        status=JobStatus.COMPLETED
                    ).values_list("pk", "uuid", "finished_at")
                ),
            )
        print(f"    seeded {min(start + batch, count):,} jobs", flush=True)
    assets = max(100, int(count * ASSETS_PER_JOB))
    have = Asset.objects.filter(team=team).count()
    _copy(
        Asset,
        (
            Asset(
                team=team,
                uploaded_by=membership.user,
                krea_id=f"asset-{team.pk}-{n}",
                krea_url=f"https://gen.krea.ai/assets/{n}.png",
                kind="image",
                mime_type="image/png",
                size=1000,
                width=512,
                height=512,
                description=f"reference picture {n}",
                file_name=f"picture-{n}.png",
                created_at=now - timezone.timedelta(seconds=assets - n),
            )
            for n in range(have, assets)
        ),
    )
    have = Style.objects.filter(team=team).count()
    _copy(
        Style,
        (
            Style(
                team=team,
                krea_style_id=f"style-{team.pk}-{n}",
                trained_by=membership.user,
                name=f"House style {n}",
                trigger_word=f"hs{n}",
                base_model="flux_dev",
                created_at=now - timezone.timedelta(minutes=STYLES - n),
            )
            for n in range(have, STYLES)
        ),
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(requests_to: list[tuple], rounds: int) -> list[tuple[float, int, int]]:
    """(median ms, queries, bytes) of each ``(client, url)``, measured in turns: one request
    to each per round, so that a machine shared with other work loads them all alike."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for client, url in requests_to:
        for _ in range(3):  # warm up
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
    times = [[] for _ in requests_to]
    queries, sizes = [0] * len(requests_to), [0] * len(requests_to)
    for _ in range(rounds):
        for n, (client, url) in enumerate(requests_to):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times[n].append((time.perf_counter() - started) * 1000)
            queries[n], sizes[n] = len(captured.captured_queries), len(response.content)
    return [(statistics.median(times[n]), queries[n], sizes[n]) for n in range(len(requests_to))]


def sized_team(count: int):
    """The team of ``count`` jobs, with its own owner (one per size, kept between runs)."""
    from django.contrib.auth import get_user_model

    from studio.teams.models import Membership
    from studio.teams.services import team_create

    user, _ = get_user_model().objects.get_or_create(email=f"bench-{count}@example.com")
    membership = Membership.objects.filter(user=user).select_related("team").first()
    if membership is None:
        team = team_create(user=user, name=f"Benchmark team with {count} jobs")
        membership = Membership.objects.get(user=user, team=team)
    return membership


def pages(membership) -> list[tuple[str, str]]:
    from django.urls import reverse

    from studio.generation.models import Job

    jobs = Job.objects.filter(team=membership.team)
    oldest = jobs.order_by("created_at").first()
    count = jobs.count()
    return [
        ("floor: password change", reverse("password_change")),
        ("jobs, first page", reverse("jobs")),
        ("jobs, state=failed", reverse("jobs") + "?status=failed"),
        ("jobs, model filter", reverse("jobs") + "?model=video/google/veo-3.1"),
        ("jobs, prompt search", reverse("jobs") + f"?q=number+{count - 11}"),
        ("jobs, deep date filter", reverse("jobs") + f"?date_to={oldest.created_at.date()}"),
        ("gallery, first page", reverse("gallery")),
        ("gallery, prompt search", reverse("gallery") + f"?q=number+{count - 11}"),
        ("asset library", reverse("asset_library")),
        ("asset library, search", reverse("asset_library") + "?q=picture-1"),
        ("styles, the team's tab", reverse("styles") + "?tab=team"),
        ("job detail", reverse("job_detail", args=[oldest.uuid])),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    django_setup(f"sqlite:///{tempfile.gettempdir()}/krea-studio-bench-pages.sqlite3")

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    big, small = sized_team(args.jobs), sized_team(args.small)
    started = time.perf_counter()
    seed(big, args.jobs)
    seed(small, args.small)
    print(
        f"Listing pages, {args.jobs:,} jobs in one team beside {args.small:,} in another "
        f"({connection.vendor}; seeding took {time.perf_counter() - started:.1f} s); "
        f"median of {args.requests} requests each"
    )
    labelled = []
    for membership in (small, big):
        client = Client()
        client.force_login(membership.user)
        labelled += [(membership.pk, label, client, url) for label, url in pages(membership)]
    figures = measure([(client, url) for _, _, client, url in labelled], args.requests)
    results = {small.pk: [], big.pk: []}
    for (team, label, _, _), measured in zip(labelled, figures, strict=True):
        results[team].append((label, *measured))
    print(
        f"  {'page':<26}{'ms @' + format(args.small, ','):>11}{'ms @' + format(args.jobs, ','):>13}"
        f"{'x floor':>9}{'x small':>9}{'queries':>9}   goal: <= {FLOOR_GOAL}x floor, "
        f"<= {GROWTH_GOAL}x small, same queries"
    )
    floor = results[big.pk][0][1]
    for (label, small_ms, small_q, _), (_, big_ms, big_q, _) in zip(
        results[small.pk], results[big.pk], strict=True
    ):
        to_floor, growth = big_ms / floor, big_ms / small_ms
        met = to_floor <= FLOOR_GOAL and growth <= GROWTH_GOAL and small_q == big_q
        verdict = "" if label.startswith("floor") else ("met" if met else "NOT MET")
        queries = f"{big_q}" if small_q == big_q else f"{small_q}->{big_q}"
        print(
            f"  {label:<26}{small_ms:>11.1f}{big_ms:>13.1f}{to_floor:>9.2f}{growth:>9.2f}"
            f"{queries:>9}   {verdict}"
        )


if __name__ == "__main__":
    main()
