"""Background screening jobs: a bounded pool; each job is a screen run folder, so a job
survives a page reload (its state is read back from the folder) and a restarted server resumes
it the way the CLI does (the manifest keeps finished chunks)."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from redoxscreen.runtime.jsonio import write_json


@dataclass
class Job:
    id: str
    directory: Path
    state: str = "queued"  # queued, running, done, failed
    error: str = ""
    summary: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        rows = 0
        manifest = self.directory / "manifest.json"
        if manifest.exists():
            try:
                rows = int(json.loads(manifest.read_text()).get("rows_done", 0))
            except (ValueError, json.JSONDecodeError):
                rows = 0
        return {"id": self.id, "state": self.state, "error": self.error,
                "rows_done": rows, "summary": self.summary}


class JobQueue:
    """At most ``workers`` screens at a time; jobs are recorded in ``DIR/job.json``."""

    def __init__(self, root: Path, workers: int = 1):
        self.root = root
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        for f in sorted(root.glob("*/job.json")):  # jobs of an earlier server
            rec = json.loads(f.read_text())
            state = rec.get("state", "failed")
            state = "interrupted" if state in ("queued", "running") else state
            self.jobs[rec["id"]] = Job(rec["id"], f.parent, state,
                                       rec.get("error", ""), rec.get("summary", {}))

    def submit(self, run) -> Job:  # run(directory) -> summary dict
        job_id = uuid.uuid4().hex[:12]
        job = Job(job_id, self.root / job_id)
        job.directory.mkdir(parents=True)
        self._record(job)
        with self.lock:
            self.jobs[job_id] = job

        def work() -> None:
            job.state = "running"
            self._record(job)
            try:
                job.summary = run(job.directory)
                job.state = "done"
            except Exception as exc:  # shown on the job's page, never a server crash
                job.state, job.error = "failed", str(exc)
            self._record(job)

        self.pool.submit(work)
        return job

    def _record(self, job: Job) -> None:
        write_json(job.directory / "job.json", {"id": job.id, "state": job.state,
                                                "error": job.error, "summary": job.summary})
