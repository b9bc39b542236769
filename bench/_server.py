"""Gunicorn on loopback, a small HTTP client with cookies, and wrk: shared by the load, fault and perf
benchmarks and by tests/test_two_servers.py. Only 127.0.0.1 is ever contacted.

The client talks to gunicorn as the TLS-terminating load balancer of production would: it sends
`X-Forwarded-Proto: https` (so the production settings run unchanged: HTTPS redirect, secure cookies,
CSRF origin checks) and keeps its cookies itself, secure ones included.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GUNICORN = Path(sys.executable).parent / "gunicorn"
HOST = "127.0.0.1"
IDLE_SECONDS = 3.0  # below gunicorn's keep-alive timeout (config/gunicorn.conf.py: 5 s)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def production_env(*, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production app server (README, "Running in production") on loopback."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return (
        clean
        | {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "GUNICORN_LOG_LEVEL": "warning",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        | extra
    )


def collectstatic(env: dict[str, str]) -> None:
    """Collect the hashed static files that production templates refer to (as `make serve` does)."""
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )


class Gunicorn:
    """One gunicorn (config/gunicorn.conf.py) on a free loopback port; a context manager that always stops it."""

    def __init__(self, env: dict[str, str], *, name: str = "gunicorn", port: int | None = None) -> None:
        self.port = port or free_port()
        self.env = env | {"GUNICORN_BIND": f"{HOST}:{self.port}"}
        OUT.mkdir(parents=True, exist_ok=True)
        self.log_path = OUT / f"{name}-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> "Gunicorn":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 30) -> None:
        """Start gunicorn and wait until /healthz answers 200; raise RuntimeError with its log otherwise."""
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [str(GUNICORN), "--config", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends the master and its workers only
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if Client(self.base, timeout=2).get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not become healthy on {self.base}:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop gunicorn gracefully (SIGTERM to its process group), killing it after 10 s."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)


@dataclass
class Client:
    """A keep-alive HTTP/1.1 client for one loopback server, with its own cookie jar, behind "TLS"."""

    base: str
    timeout: float = 10
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base)
        self.host, self.port = parts.hostname or HOST, parts.port or 80
        self.origin = f"https://{self.host}:{self.port}"
        self.connection: http.client.HTTPConnection | None = None
        self.used = 0.0

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        """Send one request (reconnecting once if a kept-alive connection was closed); raise OSError on failure."""
        sent = {"Host": f"{self.host}:{self.port}", "X-Forwarded-Proto": "https"} | (headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method not in ("GET", "HEAD"):
            sent |= {"Origin": self.origin, "Referer": self.origin + path}
            if "csrftoken" in self.cookies:
                sent["X-CSRFToken"] = self.cookies["csrftoken"]
        if self.connection is not None and time.monotonic() - self.used > IDLE_SECONDS:
            self.close()  # gunicorn closes idle keep-alive connections after 5 s: do not race it
        for attempt in (1, 2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=body, headers=sent)
                raw = self.connection.getresponse()
                response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server had just closed (idle, or a worker recycled): send
                # again once on a new one, as browsers do. Were the first one processed after all, the
                # duplicate would show in the write checks (bench/_editors.py).
                self.close()
                if attempt == 2 or not reused:
                    raise
            except (OSError, http.client.HTTPException):
                self.close()
                raise
        self.used = time.monotonic()
        self._remember_cookies(raw.headers.get_all("Set-Cookie") or [])
        if response.headers.get("connection", "").lower() == "close":
            self.close()
        return response

    def _remember_cookies(self, headers: list[str]) -> None:
        for header in headers:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value == "" or morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, data: dict | list) -> Response:
        token = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        items = [*(data.items() if isinstance(data, dict) else data), *token.items()]
        body = urlencode(items).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_json(self, path: str, data, content_type: str = "application/ld+json") -> Response:
        return self.request("POST", path, json.dumps(data).encode(), {"Content-Type": content_type})

    def login(self, username: str, password: str) -> None:
        """Sign in through the sign-in page; raise RuntimeError when it does not redirect."""
        self.get("/accounts/login/")
        response = self.post_form("/accounts/login/", {"username": username, "password": password})
        if response.status != 302:
            raise RuntimeError(f"sign-in of {username} answered {response.status}")


def follow(client: Client, response: Response) -> Response:
    """GET the redirect target of `response` on the same server."""
    return client.get(urlsplit(response.headers["location"]).path or "/")


# --------------------------------------------------------------------------- wrk

WRK_SCRIPT = """
-- Globals, not locals: done() reads each thread's with thread:get().
statuses, marks = {}, {}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  statuses, marks = {}, {traceback = 0, outage = 0, server_error = 0}
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if body then
    if string.find(body, "Traceback", 1, true) then marks.traceback = marks.traceback + 1 end
    if string.find(body, "Briefly unavailable", 1, true) then marks.outage = marks.outage + 1 end
    if string.find(body, "Something went wrong", 1, true) then marks.server_error = marks.server_error + 1 end
  end
end
function done(summary, latency, requests)
  local total_statuses, total_marks = {}, {traceback = 0, outage = 0, server_error = 0}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do total_statuses[tostring(code)] = (total_statuses[tostring(code)] or 0) + n end
    local m = t:get("marks")
    for k, n in pairs(m) do total_marks[k] = total_marks[k] + n end
  end
  local parts = {}
  for code, n in pairs(total_statuses) do table.insert(parts, string.format('"%s": %d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, ' ..
    '"non_2xx_3xx": %d, "statuses": {%s}, "traceback": %d, "outage": %d, "server_error": %d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status,
    table.concat(parts, ", "), total_marks.traceback, total_marks.outage, total_marks.server_error))
end
"""

# Without a response() hook wrk does not hand bodies to Lua: the lighter script for throughput runs.
WRK_FAST_SCRIPT = re.sub(r"function response\(.*?\nend\n", "", WRK_SCRIPT, flags=re.S)


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    non_2xx_3xx: int
    statuses: dict[str, int]
    traceback: int
    outage: int
    server_error: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def errors(self) -> int:
        return self.socket_errors + self.non_2xx_3xx


def ensure_wrk() -> str:
    """Return the path of wrk, installing Debian's package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: apt-get install -y wrk", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)  # noqa: S607 - Debian's apt
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-qq"], check=True)  # noqa: S607
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)  # noqa: S607
    return shutil.which("wrk") or "wrk"


def wrk(
    url: str,
    *,
    connections: int,
    seconds: int,
    threads: int = 2,
    count_bodies: bool = False,
    headers: dict[str, str] | None = None,
) -> WrkResult:
    """Run wrk against a loopback `url` for `seconds`; return its figures (statuses only with count_bodies)."""
    if urlsplit(url).hostname not in (HOST, "localhost"):
        raise ValueError(f"load only goes to loopback, not {url}")
    OUT.mkdir(parents=True, exist_ok=True)
    script = OUT / ("wrk-count.lua" if count_bodies else "wrk-fast.lua")
    script.write_text(WRK_SCRIPT if count_bodies else WRK_FAST_SCRIPT)
    command = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s"]
    command += ["-s", str(script)]
    for name, value in ({"X-Forwarded-Proto": "https"} | (headers or {})).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=False, timeout=seconds + 60)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("WRK-JSON "))
    data = json.loads(line.removeprefix("WRK-JSON "))
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        socket_errors=data["connect_errors"] + data["read_errors"] + data["write_errors"] + data["timeouts"],
        non_2xx_3xx=data["non_2xx_3xx"],
        statuses=data["statuses"],
        traceback=data["traceback"],
        outage=data["outage"],
        server_error=data["server_error"],
    )


def wrk_in_background(url: str, **options) -> Callable[[], WrkResult]:
    """Start wrk (see `wrk`) in a thread; return a function that waits for it and returns its result."""
    found: dict[str, WrkResult] = {}
    thread = threading.Thread(target=lambda: found.update(result=wrk(url, **options)), daemon=True)
    thread.start()

    def result() -> WrkResult:
        thread.join(timeout=options["seconds"] + 90)
        return found["result"]

    return result


def machine() -> str:
    """One line naming this machine: cores, CPU model, memory, OS, Python, load average."""

    def read(path: str, name: str, separator: str) -> str:
        lines = Path(path).read_text().splitlines()
        return next((line.split(separator, 1)[1].strip().strip('"') for line in lines if name in line), "?")

    cpu, memory = read("/proc/cpuinfo", "model name", ":"), read("/proc/meminfo", "MemTotal", ":").split()[0]
    os_name = read("/etc/os-release", "PRETTY_NAME", "=")
    return (
        f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GiB, {os_name}, "
        f"Python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.1f} (other work on the machine)"
    )
