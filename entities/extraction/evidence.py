"""Types decided by evidence: what the model called each name, counted over the archive.

A model mistypes names now and then ("Twitter" a person, "Hage Geingob" an organisation).
Every article records, per name as written, the type it gave the name and how many
mentions carry it (`TypeVote` rows, written with the article's mentions). A name the gazetteer or a head
word does not type takes the type most of the archive's mentions gave it, once there is
enough evidence, so one article's mistyped mention never decides what later articles
resolve to; and an entity created under the wrong type is corrected when the votes turn
(`services.correct_entity_kinds`). Pure: the database side is in resolve.py and services.py.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from entities.extraction.clustering import Cluster
from entities.models import name_key

# The evidence needed before votes overrule what the article's own mentions say: at least
# this many mentions in all, and this share of them for one type.
MIN_VOTES = 3
MIN_SHARE = 0.6


def article_votes(clusters: Iterable[Cluster]) -> Counter:
    """(name key, kind) -> mentions: the type one article gives each name it writes, as
    clustering decided it from the article alone (the model's labels, outvoted within the
    article by its other mentions and by the shape of its names), one vote per mention.
    Names the gazetteer or a head word types cast none (they are decided without votes)."""
    votes: Counter = Counter()
    for cluster in clusters:
        if cluster.typed_by_name:
            continue
        for written in cluster.written:
            votes[(name_key(written), cluster.kind)] += 1
    return votes


@dataclass
class TypeEvidence:
    """Votes per name key, from the archive and from the articles being tagged."""

    votes: dict[str, Counter] = field(default_factory=dict)

    def add(self, votes: Counter, sign: int = 1) -> None:
        for (key, kind), mentions in votes.items():
            self.votes.setdefault(key, Counter())[kind] += sign * mentions

    def kind_for(self, keys: Iterable[str]) -> str | None:
        """The type the evidence gives these names (one entity's keys), or None when there
        is too little of it or it is split."""
        total: Counter = Counter()
        for key in keys:
            total.update(self.votes.get(key, {}))
        count = sum(n for n in total.values() if n > 0)
        if count < MIN_VOTES:
            return None
        kind, top = total.most_common(1)[0]
        return kind if top / count >= MIN_SHARE else None


def deciding_keys(cluster: Cluster) -> set[str]:
    """The names whose votes type a cluster: its full names when it has some, since a
    surname alone ("West", "Stone") is also other things' name."""
    keys = cluster.keys | {cluster.key}
    full = {k for k in keys if " " in k}
    return full or keys


def decide_kinds(clusters: list[Cluster], evidence: TypeEvidence) -> None:
    """Give each cluster the type the archive's evidence gives its names, unless the
    gazetteer or a head word types it, or the words around one of its mentions say what it is."""
    for cluster in clusters:
        if cluster.typed_by_name or cluster.typed_by_context:
            continue
        kind = evidence.kind_for(deciding_keys(cluster))
        if kind is not None and kind != cluster.kind:
            cluster.kind = kind
