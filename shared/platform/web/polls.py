"""How the pages of every tier show a poll and read a ballot form: the names of poll kinds,
modes and outcomes, a result in words, and the ranking a priority or election form holds."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import FormMultiDict

from shared.contracts.http.plenary import PollView
from shared.core.errors import Invalid
from shared.platform.web import i18n
from shared.platform.web.i18n import N_, gettext

OUTCOMES: dict[str, str] = {
    "approved": N_("Aprovada"),
    "approved_in_part": N_("Aprovada em parte"),
    "rejected": N_("Rejeitada"),
    "plenary": N_("Vai à plenária"),
    "complete": N_("Eleição completa"),
    "incomplete": N_("Eleição incompleta"),
    "ranked": N_("Prioridades definidas"),
}
POLL_KINDS: dict[str, str] = {
    "decision": N_("Decisão"),
    "priority": N_("Priorização"),
    "election": N_("Eleição de delegados"),
    "motion": N_("Moção"),
}
MODES: dict[str, str] = {
    "counts": N_("Contagem em papel ou crachás"),
    "electronic": N_("Voto eletrônico (urna lacrada)"),
    "file": N_("Arquivo de cédulas"),
}
#: A decision ballot's choices, as a voter reads them.
CHOICES: dict[str, str] = {"yes": N_("Sim"), "no": N_("Não"), "abstain": N_("Abstenção")}


def _text(value: Any) -> str:
    return str(value or "").strip()


def result_words(poll: PollView, names: dict[str, str] | None = None) -> str:
    """A closed poll's result as a sentence ("Aprovada: 6 sim, 1 não, 1 abstenção.")."""
    result = poll.result
    if poll.status not in ("closed", "counted") or result is None:
        return ""
    outcome = (
        i18n.gettext(OUTCOMES.get(poll.outcome or "", poll.outcome or "")) if poll.outcome else ""
    )
    if poll.kind in ("decision", "motion"):
        counted = i18n.gettext(
            N_("%(yes)s sim, %(no)s não, %(abstain)s abstenções, de %(ballots)s votos"),
            yes=result.yes,
            no=result.no,
            abstain=result.abstain,
            ballots=result.ballots,
        )
        return f"{outcome}: {counted}." if outcome else f"{counted}."
    names = names or {}
    ranked = [", ".join(names.get(c, c) for c in group) for group in result.ranking]
    order = "; ".join(f"{n}. {group}" for n, group in enumerate(ranked, 1))
    return i18n.gettext(
        N_("%(outcome)s Ordem: %(order)s (%(ballots)s votos)."),
        outcome=f"{outcome}." if outcome else "",
        order=order,
        ballots=result.ballots,
    ).strip()


def priority_ballot(form: FormMultiDict, poll: PollView) -> tuple[list[list[str]], int]:
    """The ranking a priority form holds, and how many proposals it may name: with approval,
    the ticked ``choice`` boxes as one group, at most the poll's approvals; else each
    proposal's ``pos-<id>`` position (blank: unranked), equal positions tied."""
    known = set(poll.candidates)
    if poll.method == "approval":
        ticked = sorted({str(v) for v in form.getall("choice", [])})
        if any(c not in known for c in ticked):
            raise Invalid("unknown proposal on the ballot")
        return ([ticked] if ticked else []), int(poll.approvals)
    positions: dict[int, list[str]] = {}
    for candidate in poll.candidates:
        raw = _text(form.get(f"pos-{candidate}"))
        if not raw:
            continue
        try:
            place = int(raw)
        except ValueError:
            raise Invalid(gettext(N_("Escolha uma posição da lista."))) from None
        if not 1 <= place <= len(poll.candidates):
            raise Invalid(gettext(N_("Escolha uma posição da lista.")))
        positions.setdefault(place, []).append(candidate)
    return [positions[k] for k in sorted(positions)], len(poll.candidates)
