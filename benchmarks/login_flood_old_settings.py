"""The login configuration before issue 8 (item 18), for ``benchmarks/login_flood.py --old``: Django's Argon2
(100 MiB, 8 lanes), a lockout only per (user name, address) pair, no attempt throttle."""

from govcredit.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
GOVCREDIT_LOGIN_RATE = "0"
