"""The law: pure functions, plain values in, decisions with the article cited out."""

from .bars import PenaltyBar, calibrated_until_on, limitation_deadline, penalty_bars
from .classify import Classification, classify
from .dimensions import DimensionFinding
from .facts import ReadingFacts, SiteFacts
from .plates import PLATE_COLORS, normalise_plate, normalise_plate_color, plate_is_valid
from .settings import DEFAULT, RuleSettings
from .versions import VERSIONS, NoRuleInForce, RuleVersion

__all__ = [
    "DEFAULT",
    "PLATE_COLORS",
    "VERSIONS",
    "Classification",
    "DimensionFinding",
    "NoRuleInForce",
    "PenaltyBar",
    "ReadingFacts",
    "RuleSettings",
    "RuleVersion",
    "SiteFacts",
    "calibrated_until_on",
    "classify",
    "limitation_deadline",
    "normalise_plate",
    "normalise_plate_color",
    "penalty_bars",
    "plate_is_valid",
]
