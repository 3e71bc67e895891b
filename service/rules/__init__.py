"""The law: pure functions, plain values in, decisions with the article cited out."""

from .bars import PenaltyBar, calibrated_until_on, limitation_deadline, penalty_bars
from .classify import Classification, classify, deducted_excess
from .deadlines import (
    Deadline,
    add_working_days,
    case_deadlines,
    copy_notice_due,
    decision_deadlines,
    due_soon,
    is_overdue,
    is_working_day,
    late_fee,
    notice_deadlines,
    payment_deadlines,
)
from .dimensions import DimensionFinding
from .facts import ReadingFacts, SiteFacts
from .penalties import PenaltyItem, PenaltyProposal, check_decision, propose_penalty, simple_procedure_allowed
from .plates import PLATE_COLORS, normalise_plate, normalise_plate_color, plate_is_valid
from .police import PoliceAssessment, PoliceFine, PolicePoints, police_assessment
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
    "deducted_excess",
    "limitation_deadline",
    "normalise_plate",
    "normalise_plate_color",
    "penalty_bars",
    "plate_is_valid",
    "PenaltyItem",
    "PenaltyProposal",
    "check_decision",
    "propose_penalty",
    "simple_procedure_allowed",
    "Deadline",
    "add_working_days",
    "case_deadlines",
    "copy_notice_due",
    "decision_deadlines",
    "due_soon",
    "is_overdue",
    "is_working_day",
    "late_fee",
    "notice_deadlines",
    "payment_deadlines",
    "PoliceAssessment",
    "PoliceFine",
    "PolicePoints",
    "police_assessment",
]

from .permits import PermitFacts, PermitFinding, check_permits  # noqa: E402

__all__ += ["PermitFacts", "PermitFinding", "check_permits"]

from .registry import (  # noqa: E402
    identity_number_is_valid,
    mask_identity_number,
    normalise_uscc,
    uscc_check_digit,
    uscc_is_valid,
)
from .repeat import (  # noqa: E402
    DecidedViolation,
    RepeatAssessment,
    assess_driver,
    assess_vehicle,
    blacklist_listing_ends,
    counting_cycle,
    rolling_window,
)
from .repeat_enterprise import assess_enterprise  # noqa: E402

__all__ += [
    "DecidedViolation",
    "RepeatAssessment",
    "assess_driver",
    "assess_enterprise",
    "assess_vehicle",
    "blacklist_listing_ends",
    "counting_cycle",
    "rolling_window",
    "identity_number_is_valid",
    "mask_identity_number",
    "normalise_uscc",
    "uscc_check_digit",
    "uscc_is_valid",
]
