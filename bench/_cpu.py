"""CPU time per request in one process: Django's WSGI handler called directly, no network, no gunicorn.

Run by bench/perf.py with the production environment of its gunicorn; prints one JSON line of
microseconds per request by name. CPU time (time.process_time) counts this process only, so other
work on the machine barely moves it: the steadier figure beside the wrk runs.
Usage: python bench/_cpu.py PATH[=gzip] ...
"""

import json
import os
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = {"default": 2000, "render": 40}


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.server_settings")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    application = WSGIHandler()

    def call(path: str, gzip: bool) -> int:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_X_FORWARDED_PROTO": "https",
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(b""),
        } | ({"HTTP_ACCEPT_ENCODING": "gzip"} if gzip else {})
        statuses = []
        body = b"".join(application(environ, lambda status, headers, exc_info=None: statuses.append(status)))
        if not statuses[0].startswith("200"):
            raise SystemExit(f"{path} answered {statuses[0]}")
        return len(body)

    figures = {}
    for argument in sys.argv[1:]:
        name, path = argument.split("=", 1)
        gzip = name.endswith("gzip")
        count = REQUESTS.get(name, REQUESTS["default"])
        for _ in range(20):
            call(path, gzip)
        started = time.process_time()
        for _ in range(count):
            call(path, gzip)
        figures[name] = (time.process_time() - started) / count * 1e6
    print("CPU-JSON", json.dumps(figures))


if __name__ == "__main__":
    main()
