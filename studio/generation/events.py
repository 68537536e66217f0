"""What generation tells other apps, without knowing them (outgoing webhooks listen here).

``job_finished`` is sent after the commit that makes a job terminal, once its outputs are
stored for a completed generation: ``send(sender=Job, job_id=...)``. Receivers must not
raise into the pipeline; they run after the job's own work is safely committed.
"""

from django.dispatch import Signal

job_finished = Signal()
