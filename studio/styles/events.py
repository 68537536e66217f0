"""``style_trained``: sent after the commit that records a trained style,
``send(sender=Style, style_id=...)``."""

from django.dispatch import Signal

style_trained = Signal()
