"""Claim codes for elected delegates: the one-time code a delegate redeems at the plenary above
to bind a credential to their own device (issue: "delegates vote themselves").

The assembly that elects them hands each delegate their code (it is in the closing's answer
only); the report carries nothing but the code's digest, so neither the bus nor the tier above
holds a secret that would let anyone else vote in the delegate's name.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.http.plenary import DelegateClaim
from shared.contracts.messages import Mandate
from shared.features.plenary import elections
from shared.platform.secrets import code_digest, new_code


async def elected_mandates(session: AsyncSession, assembly_id: str) -> list[Mandate]:
    """The mandates an assembly's (or a conference's) election gave, as they travel up."""
    return [
        Mandate(
            mandate_id=str(m.id),
            public_name=m.public_name,
            segment=m.segment,
            role=m.role,  # type: ignore[arg-type]
            rank=m.rank,
            gender=m.gender,
            quota_groups=list(m.quota_groups),
            selection="drawn" if m.selection == "drawn" else "elected",
            probability=m.probability,
        )
        for m in await elections.mandates(session, assembly_id)
    ]


def with_claims(mandates: Iterable[Mandate]) -> tuple[list[Mandate], list[DelegateClaim]]:
    """Each mandate with a fresh claim code's digest, and the codes to hand over."""
    claimed: list[Mandate] = []
    claims: list[DelegateClaim] = []
    for mandate in mandates:
        code = new_code()
        claimed.append(msgspec.structs.replace(mandate, claim_sha256=code_digest(code)))
        claims.append(
            DelegateClaim(
                mandate_id=mandate.mandate_id,
                public_name=mandate.public_name,
                segment=mandate.segment,
                role=mandate.role,
                rank=mandate.rank,
                claim_code=code,
            )
        )
    return claimed, claims
