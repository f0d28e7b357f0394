"""Errors raised by the decision algorithms.

They subclass ``ValueError`` because every one of them means "this input cannot be decided";
callers (CLI, HTTP problem details, dead letters) turn them into a clear message.
"""

from __future__ import annotations


class DecisionError(ValueError):
    """Base class: the input cannot be decided as given."""


class ApportionmentError(DecisionError):
    """Seats cannot be apportioned under the given bounds or populations."""


class DelegationError(DecisionError):
    """A delegation cannot be split or checked as asked."""


class BallotError(DecisionError):
    """A ballot or profile is not valid for the requested tally."""


class BallotFileError(BallotError):
    """A ballot file is malformed; ``line`` is 1-based (0 when the whole file is at fault)."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line else message)


class LotteryError(DecisionError):
    """A civic lottery cannot be drawn; ``feature`` names the quota at fault when one is."""

    def __init__(self, message: str, feature: str | None = None) -> None:
        self.feature = feature
        super().__init__(message)


class ClusteringError(DecisionError):
    """Duplicate clustering was asked something it cannot do (e.g. a threshold outside [0, 1])."""
