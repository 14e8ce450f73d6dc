from guanxi.dedup.models.candidate import DismissedPair, DuplicateCandidate
from guanxi.dedup.models.rule import MatchRule

__all__ = ["DismissedPair", "DuplicateCandidate", "MatchRule"]
