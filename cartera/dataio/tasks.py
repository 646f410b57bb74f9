"""Background entry points of imports started from the staff UI."""

from __future__ import annotations

from django_tasks import task

from cartera.dataio.services import import_job_run


@task()
def run_import_job(job_id: int, dry_run: bool) -> dict[str, object]:
    """Run an uploaded file's dry run or commit, recording progress and the outcome on its ImportJob."""
    job = import_job_run(job_id=job_id, dry_run=dry_run)
    return {"status": job.status, "problems": job.result.get("problem_count", 0)}
