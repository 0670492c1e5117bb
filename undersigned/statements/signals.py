"""What other apps may listen to. `text_saved` is sent (in the saving transaction) after a text
is saved by statement_text_save, with `text`: the text check queues its link check on it."""

from django.dispatch import Signal

text_saved = Signal()
