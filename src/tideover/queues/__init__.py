"""Collector queues (pure): which work comes first and who takes it.

- :mod:`tideover.queues.priority`: the priority of a piece of human work.
- :mod:`tideover.queues.assignment`: the rank of open items and the collector
  one item goes to, or why none may take it.

These are the references.  The daily cycle's fast paths call or mirror them:
``batch.cycle.stages.dispatch`` prices every queue item with
:func:`~tideover.queues.priority.queue_priority`, and
``batch.queues.assign_items`` places a whole day's items as
:func:`~tideover.queues.assignment.place` would one at a time.
"""
