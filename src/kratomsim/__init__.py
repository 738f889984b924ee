"""kratomsim: an evidence-grounded simulator of kratom alkaloids across the night.

It predicts and explains; it never recommends a dose.
"""

__version__ = "0.1.0"
