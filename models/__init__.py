"""SQLAlchemy models, one module per aggregate; this file only re-exports."""

from models.agency import Agency
from models.audit import AuditEvent, AuditHead
from models.base import Base, UTCDateTime, utcnow
from models.case import Case, StationAction
from models.copy_notice import CopyNotice
from models.evidence import EvidenceImage
from models.importjob import ImportJob
from models.loading import Loading, Weighbridge, WeighbridgeToken
from models.matter import CaseStatement, PartyMatter
from models.outbox import OutboxEvent
from models.reading import Reading
from models.referral import Referral, ReferralExport, ReferralExportItem
from models.registry import Driver, Enterprise, Permit, Vehicle
from models.repairer import RepairerRevocation
from models.site import DeviceToken, Site, SiteCalibration
from models.stats import SiteAlert, SiteDailyCaseStats, SiteDailyStats, SiteHeartbeat, StatsReport
from models.supervision import SupervisionAction
from models.trace import CaseTrace, TraceTask
from models.user import User
from models.watch import Alert, WatchEntry
from models.websession import AuthThrottle, WebSession

__all__ = [
    "Agency",
    "AuditEvent",
    "AuditHead",
    "Base",
    "UTCDateTime",
    "utcnow",
    "Case",
    "CopyNotice",
    "EvidenceImage",
    "CaseStatement",
    "PartyMatter",
    "StationAction",
    "ImportJob",
    "Loading",
    "Weighbridge",
    "WeighbridgeToken",
    "CaseTrace",
    "TraceTask",
    "OutboxEvent",
    "Reading",
    "Referral",
    "ReferralExport",
    "ReferralExportItem",
    "Driver",
    "Enterprise",
    "Permit",
    "Vehicle",
    "DeviceToken",
    "Site",
    "SiteCalibration",
    "SiteDailyStats",
    "SiteDailyCaseStats",
    "StatsReport",
    "SiteAlert",
    "SiteHeartbeat",
    "RepairerRevocation",
    "SupervisionAction",
    "User",
    "Alert",
    "AuthThrottle",
    "WebSession",
    "WatchEntry",
]
