"""The Prometheus metrics: figures read from the database at each scrape (what waits, what
failed, signatures by status, the worker's last report), and each app process's request
latency. With several gunicorn processes, `serve` gives them a shared folder
(PROMETHEUS_MULTIPROC_DIR) and the latency of all of them is reported together."""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from undersigned.operations.selectors import figures
from undersigned.signatures.services import SEND_EMAIL

REQUEST_SECONDS = Histogram(
    "undersigned_request_seconds",
    "Time to answer a request, by view",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class DatabaseCollector:
    """Gauges read from the database when Prometheus scrapes."""

    def collect(self):
        found = figures()
        yield GaugeMetricFamily(
            "undersigned_submissions_waiting",
            "Signing submissions acknowledged and not yet recorded",
            value=found.submissions_waiting,
        )
        yield GaugeMetricFamily(
            "undersigned_submissions_failed",
            "Submissions the worker could not record (kept for an administrator)",
            value=found.submissions_failed,
        )
        yield GaugeMetricFamily(
            "undersigned_submission_oldest_wait_seconds",
            "How long the oldest waiting submission has waited",
            value=found.oldest_wait_seconds,
        )
        jobs = GaugeMetricFamily(
            "undersigned_jobs", "Background jobs in the queue's table", labels=["kind", "status"]
        )
        for (kind, status), n in sorted(found.jobs.items()):
            jobs.add_metric([kind, status], n)
        yield jobs
        emails = GaugeMetricFamily(
            "undersigned_emails",
            "Confirmation emails by outcome (sent ones are kept JOBS_KEEP_DAYS days)",
            labels=["outcome"],
        )
        for status, outcome in (("done", "sent"), ("failed", "failed"), ("pending", "waiting")):
            emails.add_metric([outcome], found.jobs.get((SEND_EMAIL, status), 0))
        yield emails
        signatures = GaugeMetricFamily(
            "undersigned_signatures", "Signatures by status", labels=["status"]
        )
        for status, n in sorted(found.signatures.items()):
            signatures.add_metric([status], n)
        yield signatures
        if found.worker_age_seconds is not None:
            yield GaugeMetricFamily(
                "undersigned_worker_last_report_seconds",
                "Seconds since a worker last reported",
                value=found.worker_age_seconds,
            )


def exposition() -> bytes:
    registry = CollectorRegistry()
    registry.register(DatabaseCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
    return generate_latest(registry)


class LatencyMiddleware:
    """Times every request (only when metrics are on: UNDERSIGNED_METRICS_TOKEN)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if not settings.METRICS_TOKEN:
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else "unmatched"
        REQUEST_SECONDS.labels(view, request.method).observe(time.perf_counter() - started)
        return response
