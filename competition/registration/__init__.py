"""Reading the registration sheet exactly as clerks make it (xlsx or CSV).

``read_registration`` returns a ``SheetReading``: riders with normalized
values, rejected rows with row, column and reason, duplicates merged by
phone, and warnings. No database here: the lead's import writes it.
"""

from competition.registration.errors import RegistrationError
from competition.registration.reader import read_registration
from competition.registration.rows import (
    DuplicateRow,
    RegistrationRow,
    RejectedRow,
    SheetReading,
)

__all__ = [
    "DuplicateRow",
    "RegistrationError",
    "RegistrationRow",
    "RejectedRow",
    "SheetReading",
    "read_registration",
]
