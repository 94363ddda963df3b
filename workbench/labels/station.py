"""What the label station reads from the replica as it opens, in one call its window runs on
a worker: the id scheme its labels are printed under, who is signed in, the stock and printer
last used on this laptop, and the jobs to list. Until these have arrived the station cannot
print, so a label is never printed under a scheme or on a printer the window had not read yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.labels import jobs as label_jobs
from workbench.labels.jobs import LabelJob
from workbench.labels.model import IdScheme
from workbench.replica import Replica

#: What the station remembers on this laptop (in the replica's local state, never synced).
PRINTER_KEY = "label_station.printer"
TEMPLATE_KEY = "label_station.template"


@dataclass(frozen=True)
class StationStart:
    """The station's start-up reads (see the module notes)."""

    scheme: IdScheme
    #: the signed-in user, or "" (a workspace nobody signed in to)
    username: str
    #: the stock and printer last used on this laptop, or None
    template: str | None
    printer: str | None
    jobs: list[LabelJob]


def jobs_to_list(replica: Replica) -> list[LabelJob]:
    """Today's jobs, and any older one still waiting to print, newest first."""
    today = label_jobs.todays_jobs(replica)
    shown = {job.id for job in today}
    older = [job for job in label_jobs.pending_jobs(replica) if job.id not in shown]
    return today + older[::-1]


def station_start(replica: Replica, workspace_name: str) -> StationStart:
    """Everything the station reads as it opens (see `StationStart`)."""
    return StationStart(
        scheme=label_jobs.scheme_for(replica, workspace_name),
        username=replica.get_state("username") or "",
        template=replica.get_state(TEMPLATE_KEY),
        printer=replica.get_state(PRINTER_KEY),
        jobs=jobs_to_list(replica),
    )
