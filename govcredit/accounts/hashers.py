"""The password hasher: Argon2id at a cost a login flood cannot turn into an outage."""

from __future__ import annotations

import threading

from django.contrib.auth.hashers import Argon2PasswordHasher

# One hash at a time per web process: the web server runs several threads per process (govcredit serve),
# so a burst of logins waits here for the CPU while the other threads go on serving pages.
_HASHING = threading.BoundedSemaphore(1)


class GovCreditArgon2Hasher(Argon2PasswordHasher):
    """Argon2id with 19 MiB, 2 passes, 1 lane (OWASP's first recommended setting) instead of Django's
    100 MiB and 8 lanes.

    Every login attempt, even for a user name that does not exist, costs one hash in a web process: at
    100 MiB twelve attempts at once held every worker for about half a second each and the public portal
    waited behind them. At this cost a hash takes a few tens of milliseconds, and the login throttle
    (``accounts/views.py``) bounds how many one address can ask for. The algorithm name stays ``argon2``:
    stored hashes still verify and are re-hashed at this cost on the user's next login.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

    def encode(self, password: str, salt: str) -> str:
        with _HASHING:
            return str(super().encode(password, salt))

    def verify(self, password: str, encoded: str) -> bool:
        with _HASHING:
            return bool(super().verify(password, encoded))
