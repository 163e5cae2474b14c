"""The multi-host drill: two worker hosts, each in a network namespace of its own, share a
tagging backlog over TCP; one is SIGKILLed mid-backlog and the survivor finishes its claims,
every article tagged exactly once. Figures of the run go to test-artifacts/multihost-drill.json."""

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article, JobStatus
from articles.tests.factories import ArticleFactory
from entities import services
from entities.models import Mention
from entities.tests import hosts
from entities.tests.worker import set_broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BACKLOG = 300
APPLICATION = "drill-"  # a worker host's application_name, before its name
ARTIFACT = Path(settings.BASE_DIR) / "test-artifacts" / "multihost-drill.json"
PEOPLE = ["Angela Merkel", "Emmanuel Macron", "Jacinda Ardern", "Justin Trudeau", "Pedro Sánchez", "Mark Rutte"]
ORGANISATIONS = ["NATO", "Interpol", "the World Health Organization", "the European Commission", "UNESCO"]
PLACES = ["Copenhagen", "Berlin", "Madrid", "Ottawa", "Wellington", "Brussels", "Geneva"]


class Drill:
    def __init__(self, network: hosts.Network, *, redis_port: int, postgres_port: int, user: str, database: str):
        self.network = network
        self.redis_port, self.postgres_port = redis_port, postgres_port
        self.user, self.database = user, database
        self.workers: list[hosts.HostWorker] = []
        self.connections: dict[str, set[tuple[str, int]]] = {}

    def broker_url(self, host: hosts.Host) -> str:
        return f"redis://{host.gateway}:{self.redis_port}/0"

    def start_worker(self, host: hosts.Host, name: str) -> hosts.HostWorker:
        env = {
            **os.environ,
            # The host's only routes lead to the gateway, this machine's end of its pair.
            # Its server processes are told apart by their application_name (`statements`).
            "DATABASE_URL": (
                f"postgres://{self.user}@{host.gateway}:{self.postgres_port}/{self.database}"
                f"?application_name={APPLICATION}{name}"
            ),
            "CELERY_BROKER_URL": self.broker_url(host),
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DEBUG": "true",
            # A killed host's message comes back after this long (kept short for the drill);
            # small batches spread the backlog over many claims.
            "CELERY_VISIBILITY_TIMEOUT": "15",
            "TAGGING_BATCH_SIZE": "5",
        }
        worker = hosts.HostWorker(host, f"{name}@drill", env).start()
        self.workers.append(worker)
        return worker

    @staticmethod
    def statements(worker: hosts.HostWorker) -> frozenset[tuple] | None:
        """The state of each server process of `worker` (pid, state, when it last changed), or
        None while one of them runs a statement."""
        name = APPLICATION + worker.node.split("@")[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid, state, state_change FROM pg_stat_activity WHERE application_name = %s", [name])
            rows = frozenset(cursor.fetchall())
        return None if any(state == "active" for _pid, state, _changed in rows) else rows

    def note_connections(self) -> None:
        """Remember the TCP connections each live host holds (with `ss` in its namespace)."""
        for worker in self.workers:
            if worker.proc and worker.proc.poll() is None:
                self.connections.setdefault(worker.node, set()).update(hosts.tcp_peers(worker.host))

    def logs(self) -> str:
        return "\n".join(f"--- {w.node}:\n{w.output()}" for w in self.workers)


@pytest.fixture
def drill(django_db_setup, django_db_blocker) -> Iterator[Drill]:
    """Two hosts on private /30s, a Redis and the test database's server reachable from them
    over TCP only; everything removed afterwards, whatever happened."""
    try:
        hosts.check_tools()
        network = hosts.Network.create(["a", "b"])
    except hosts.Unavailable as exc:
        pytest.skip(f"multi-host drill not run: {exc}")
    daemons = hosts.Daemons()
    drill = None
    try:
        gateways = [h.gateway for h in network.hosts]
        redis_port = daemons.redis(gateways)
        with django_db_blocker.unblock():
            settings_dict = connection.settings_dict
            pg_port = daemons.forward_postgres(gateways, settings_dict)
            user, name = settings_dict["USER"], settings_dict["NAME"]
            if settings_dict.get("PASSWORD"):
                user += f":{settings_dict['PASSWORD']}"
        for gateway in gateways:
            hosts.wait_until_reachable(gateway, redis_port, "the drill's Redis")
            hosts.wait_until_reachable(gateway, pg_port, "the forwarder to PostgreSQL")
        drill = Drill(network, redis_port=redis_port, postgres_port=pg_port, user=user, database=name)
        yield drill
    finally:
        for worker in drill.workers if drill else []:
            worker.stop()
        daemons.stop()
        network.remove()
        set_broker(settings.CELERY_BROKER_URL)
    assert not {h.namespace for h in network.hosts} & network.namespaces()
    for worker in drill.workers:
        worker.remove_log()


def queue_backlog() -> list[int]:
    """BACKLOG short English stories naming people, organisations and places, saved in one
    transaction: their tagging is queued when it commits."""
    with transaction.atomic():
        articles = [
            ArticleFactory(
                headline=f"{PEOPLE[i % 6]} in {PLACES[i % 7]}, talks {i}",
                paragraphs=[f"{PEOPLE[i % 6]} met officials of {ORGANISATIONS[i % 5]} in {PLACES[(i + 3) % 7]}."],
            )
            for i in range(BACKLOG)
        ]
        for article in articles:
            services.request_tagging(article)
    return [a.id for a in articles]


def spans() -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    rows = Mention.objects.order_by("article_id", "field", "start").values_list("article_id", "field", "start", "end")
    for article_id, *rest in rows:
        out.setdefault(article_id, []).append(tuple(rest))
    return out


def test_two_worker_hosts_share_a_backlog_and_the_survivor_finishes_a_killed_hosts_claims(drill):
    first_host, second_host = drill.network.hosts
    first = drill.start_worker(first_host, "host-a")
    second = drill.start_worker(second_host, "host-b")
    wait_for(lambda: first.ready() and second.ready(), deadline=300, what=lambda: f"both workers up:\n{drill.logs()}")

    set_broker(drill.broker_url(first_host))  # this process queues over TCP too
    ids = queue_backlog()
    queued_at = time.monotonic()
    articles = Article.objects.filter(id__in=ids)

    def both_tagging_and_first_host_frozen_holding_claims() -> bool:
        drill.note_connections()
        done = articles.filter(tagging_status=JobStatus.DONE)
        if done.count() < BACKLOG // 3 or not done.filter(tagging_worker=second.node).exists():
            return False
        # Frozen before looking, so the claims seen are still held when it is killed. A statement
        # it sent before it froze still runs to its end (a batch's COMMIT, seen once in CI: the
        # claims seen were done by the kill): looked at only while none of its server processes
        # runs one, before and after, with no state changed between.
        first.pause()
        before = drill.statements(first)
        holding = articles.filter(tagging_status=JobStatus.RUNNING, tagging_worker=first.node).exists()
        if before and holding and drill.statements(first) == before:  # `before` empty: none seen, look again
            return True
        first.resume()  # between two batches, or a statement running: try again
        return False

    wait_for(
        both_tagging_and_first_host_frozen_holding_claims,
        deadline=600,
        what=lambda: f"both hosts tagging, host-a holding claims:\n{drill.logs()}",
    )
    first.kill()
    killed_at = time.monotonic()
    orphaned = set(
        articles.filter(tagging_status=JobStatus.RUNNING, tagging_worker=first.node).values_list("id", flat=True)
    )
    done_before = dict(articles.filter(tagging_status=JobStatus.DONE).values_list("id", "tagged_at"))
    assert orphaned and len(done_before) < BACKLOG

    def all_done() -> bool:
        # Finished means written and let go: a batch's rows are done one by one, and keep
        # their task's claim until the batch has refreshed its entities' counts. Counting
        # done rows alone ends the wait inside that window (seen under load: a claim still
        # held when the rows were read).
        drill.note_connections()
        return articles.filter(tagging_status=JobStatus.DONE, tagging_claim="").count() == BACKLOG

    # The killed host's message comes back to the survivor after the visibility timeout; it
    # takes back that task's claims. No sweep runs: the claims are fresh (the sweep would
    # only release them after the hard time limit).
    wait_for(all_done, deadline=600, what=lambda: f"the whole backlog tagged:\n{drill.logs()}")
    finished_at = time.monotonic()

    rows = {a.id: a for a in articles}
    for article in rows.values():
        assert article.tagged_hash == article.content_hash
        assert article.tagging_error == "" and article.tagging_claim == ""
        assert article.tagging_worker in (first.node, second.node)
    # The survivor finished every article the killed host had claimed...
    assert {rows[i].tagging_worker for i in orphaned} == {second.node}
    # ...and nothing written before the kill was written again.
    assert {i: rows[i].tagged_at for i in done_before} == done_before
    by_host = Counter(a.tagging_worker for a in rows.values())
    assert by_host[first.node] > 0 and by_host[second.node] > 0
    # Each host reached PostgreSQL and Redis over TCP, through its own end of the pair.
    for worker in (first, second):
        assert drill.connections[worker.node] >= {
            (worker.host.gateway, drill.redis_port),
            (worker.host.gateway, drill.postgres_port),
        }, drill.connections

    # Exactly once: the mentions are those of one clean run over the same articles, in this
    # process with no worker and nothing queued.
    second.stop()
    tagged = spans()
    assert set(tagged) == set(ids)  # every story names someone
    call_command("retag", "--all")
    assert spans() == tagged

    figures = {
        "date": timezone.now().date().isoformat(),
        "articles": BACKLOG,
        "seconds_to_kill": round(killed_at - queued_at, 1),
        "seconds_to_all_tagged": round(finished_at - queued_at, 1),
        "seconds_from_kill_to_all_tagged": round(finished_at - killed_at, 1),
        "done_at_kill": len(done_before),
        "claimed_by_killed_host_at_kill": len(orphaned),
        "tagged_by": {"host-a (killed)": by_host[first.node], "host-b (survivor)": by_host[second.node]},
        "mentions": sum(len(v) for v in tagged.values()),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2) + "\n")
    print("multi-host drill:", json.dumps(figures))
