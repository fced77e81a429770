"""Every domain's models, imported together so the metadata (and Alembic) sees all tables."""

from guide.accounts.models import CuratorSession
from guide.accounts.models import RecoveryCode
from guide.accounts.models import User
from guide.accounts.models import UserLanguage
from guide.audit.models import AuditEvent
from guide.codes.models import Code
from guide.codes.models import ScanCount
from guide.content.models import ContentVersion
from guide.guides.models import Guide
from guide.media.models import Image
from guide.media.models import ImageText
from guide.media.models import MediaFile
from guide.media.models import MediaVariant
from guide.monuments.models import Monument
from guide.monuments.models import MonumentText
from guide.monuments.models import Stop
from guide.monuments.models import StopText
from guide.publishing.models import Revision
from guide.search.models import SearchEntry
from guide.sites.models import Site
from guide.sites.models import SiteText
from guide.tours.models import Tour
from guide.tours.models import TourStop
from guide.tours.models import TourText
from guide.translating.models import TranslationStamp

__all__ = [
    "AuditEvent", "CuratorSession", "MediaVariant", "RecoveryCode", "TranslationStamp", "User",
    "UserLanguage", "Code", "ContentVersion", "Guide", "Image", "ImageText", "MediaFile", "Monument",
    "MonumentText", "Revision", "ScanCount", "SearchEntry", "Site", "SiteText", "Stop", "StopText",
    "Tour", "TourStop", "TourText",
]
