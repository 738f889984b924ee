"""Evidence: what the studies show about kratom and sleep, and an audit of claims against it.

Pure functions over the cited data in ``data/evidence/``; the sentence-embedding model used by the
audit loads lazily on first use.
"""

# library first: the night report imports night_evidence from here while the audit (whose model
# evidence runs the night report) is still loading
from kratomsim.evidence.library import Claim, EvidenceNote, Study, claims, night_evidence, studies  # isort: skip
from kratomsim.evidence.audit import AuditReport, ClaimMatch, audit_text  # isort: skip

__all__ = [
    "AuditReport",
    "Claim",
    "ClaimMatch",
    "EvidenceNote",
    "Study",
    "audit_text",
    "claims",
    "night_evidence",
    "studies",
]
