"""The check after a crash: is every acknowledged signature stored once, with its email job?"""

from __future__ import annotations

from collections import Counter

from undersigned.jobs.models import Job
from undersigned.signatures.models import Signature, Submission
from undersigned.signatures.normalize import normalize_email
from undersigned.signatures.services import SEND_EMAIL


def check_acknowledged(acked_emails: list[str]) -> dict[str, int]:
    """`lost_acks`: acknowledged but not recorded as a signature; `duplicates`: recorded more
    than once; `missing_email_jobs`: recorded without a confirmation email job;
    `submissions_left`: submissions the worker has not recorded (or could not). Callers let the
    worker drain its queue first."""
    wanted = {normalize_email(e) for e in acked_emails}
    stored: Counter[str] = Counter()
    ids: dict[str, int] = {}
    keys = sorted(wanted)
    for start in range(0, len(keys), 500):
        for key, pk in Signature.objects.filter(
            email_normalized__in=keys[start : start + 500]
        ).values_list("email_normalized", "pk"):
            stored[key] += 1
            ids[key] = pk
    with_job = set()
    pks = list(ids.values())
    for start in range(0, len(pks), 500):
        for payload in (
            Job.objects.filter(kind=SEND_EMAIL)
            .filter(payload__signature_id__in=pks[start : start + 500])
            .values_list("payload", flat=True)
        ):
            with_job.add(payload["signature_id"])
    return {
        "acked": len(wanted),
        "lost_acks": sum(1 for key in wanted if stored[key] == 0),
        "duplicates": sum(1 for key in wanted if stored[key] > 1),
        "missing_email_jobs": sum(1 for key in ids if ids[key] not in with_job),
        "submissions_left": Submission.objects.count(),
    }
