"""What may be shown: the identifier guard and the value-free problem vocabulary.

The lowest layer of the project's own code (pure Python, pandas, numpy; no Dagster):

- :mod:`privacy.identifiers`: the identifier guard (personal identity and coordination
  numbers, phone numbers, e-mail addresses, names) for variable names, labels, values and
  file names;
- :mod:`privacy.problems`: :class:`~privacy.problems.Problem`, the one finding type of
  reading, checking and validating, and the helpers that write its messages without ever
  repeating a value or a participant;
- :mod:`privacy.errors`: the exception types raised with those messages.

It imports nothing else of the project, so the study configuration can refuse a file name
that holds an identifier.
"""
