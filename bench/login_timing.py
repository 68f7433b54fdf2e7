"""Log-in timing for a known user name with a wrong password vs an unknown user name (issue 9.14).

    REDIS_URL=redis://127.0.0.1:6379/3 python -m bench.login_timing [tries]

Builds a throwaway SQLite app with the production password hash (scrypt), posts wrong log-ins
through the test client and prints the median time of each kind and their ratio. The rate limits
are raised so that they stay out of the measurement. Nothing here is imported by the application."""
from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time


def main(tries: int = 15) -> None:
    from flask_migrate import upgrade

    from bgjobs import create_app
    from bgjobs.auth.models import User
    from bgjobs.extensions import db

    folder = tempfile.mkdtemp(prefix="login-timing-")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/t.sqlite", "WTF_CSRF_ENABLED": False,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), "BGJOBS_PASSWORD_HASH": "scrypt",
        "BGJOBS_LOGIN_LIMIT_USER": "100000 per minute", "BGJOBS_LOGIN_LIMIT_ADDRESS": "100000 per minute",
    })
    with app.app_context():
        upgrade()
        user = User(username="alice", display_name="Alice", role="user")
        user.set_password("right")
        db.session.add(user)
        db.session.commit()
    client = app.test_client()

    def median_ms(username: str) -> float:
        times = []
        for _ in range(tries):
            started = time.perf_counter()
            response = client.post("/login", data={"username": username, "password": "wrong"})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and re.search("Wrong user name", response.get_data(as_text=True))
        return statistics.median(times)

    median_ms("warm-up")
    known, unknown = median_ms("alice"), median_ms("nobody")
    print(f"known user, wrong password: {known:.1f} ms median of {tries}")
    print(f"unknown user name:          {unknown:.1f} ms median of {tries}")
    print(f"unknown / known:            {unknown / known:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
