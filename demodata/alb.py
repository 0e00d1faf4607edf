"""ALB access log lines for the demo site, in the field order AWS documents for HTTP(S) listeners.

Lines carry all 29 documented fields plus the connection trace id that AWS appended later,
so parsers see a line as it is written today.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from demodata import estate as plan
from demodata.curve import activity, draw_count

TARGET_GROUP_ARN = (
    f"arn:aws:elasticloadbalancing:{plan.REGION}:{plan.ACCOUNT_ID}:"
    "targetgroup/demo-web-targets/8c2e4a6f1b3d5e70"
)
CERT_ARN = (
    f"arn:aws:acm:{plan.REGION}:{plan.ACCOUNT_ID}:certificate/0f4a2c6e-8b1d-4e3f-9a5c-7d2b6e1f3a90"
)
ELB = f"app/{plan.ALB_NAME}/{plan.ALB_ID}"

BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "curl/8.5.0",
)

# (method, path, status choices). The {n} in a path becomes a product number.
PAGES = (
    ("GET", "/", (200,)),
    ("GET", "/products", (200,)),
    ("GET", "/products/{n}", (200, 200, 200, 404)),
    ("GET", "/images/p{n}.jpg", (200, 304)),
    ("GET", "/static/app.3f9c1e.js", (200, 304, 304)),
    ("GET", "/static/styles.7a2d4b.css", (200, 304, 304)),
    ("GET", "/search?q=running+shoes", (200,)),
    ("GET", "/search?q=%22trail+shoes%22+size+42", (200,)),
    ("GET", "/api/cart", (200,)),
    ("POST", "/api/cart", (200, 201)),
    ("GET", "/account", (200, 302)),
    ("POST", "/login", (302, 302, 302, 302, 302, 302, 302, 302, 302, 401)),
    ("POST", "/checkout", (200, 200, 200, 200, 500)),
)


@dataclass(frozen=True)
class Request:
    """One request as the load balancer logs it, with target None when nothing was forwarded."""

    time: float
    client: str
    client_port: int
    method: str
    path: str
    user_agent: str
    status: int
    target: str | None
    protocol: str = "h2"
    actions: str = "waf,forward"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _request_field(request: Request) -> str:
    if request.protocol == "http":
        return f"{request.method} http://{plan.SITE_DOMAIN}:80{request.path} HTTP/1.1"
    version = "HTTP/2.0" if request.protocol == "h2" else "HTTP/1.1"
    return f"{request.method} https://{plan.SITE_DOMAIN}:443{request.path} {version}"


def _timings(rng: random.Random, request: Request) -> tuple[str, float]:
    if request.target is None:
        return "-1 -1 -1", 0.0
    target_seconds = rng.lognormvariate(-3.5, 0.8)
    return f"0.001 {target_seconds:.3f} 0.000", target_seconds + 0.001


def format_line(rng: random.Random, request: Request) -> str:
    """Format one access log line, with trace ids, timings and byte counts drawn from rng."""
    timings, elapsed = _timings(rng, request)
    forwarded = request.target is not None
    target = request.target or "-"
    target_status = str(request.status) if forwarded else "-"
    sent = 300 + rng.randrange(20000) if forwarded else 180
    fields = [
        request.protocol,
        _iso(request.time),
        ELB,
        f"{request.client}:{request.client_port}",
        target,
        timings,
        str(request.status),
        target_status,
        str(200 + rng.randrange(900)),
        str(sent),
        f'"{_request_field(request)}"',
        f'"{request.user_agent}"',
        *_routing_fields(rng, request, elapsed),
        f'"{target}"',
        f'"{target_status}"',
        '"-"',
        '"-"',
        f"TID_{rng.getrandbits(128):032x}",
    ]
    return " ".join(fields) + "\n"


def _routing_fields(rng: random.Random, request: Request, elapsed: float) -> list[str]:
    """Build the fields from ssl_cipher to error_reason."""
    is_tls = request.protocol != "http"
    trace = f"Root=1-{int(request.time):08x}-{rng.getrandbits(96):024x}"
    redirect = f"https://{plan.SITE_DOMAIN}:443{request.path}" if request.status == 301 else "-"
    return [
        "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2" if is_tls else "- -",
        TARGET_GROUP_ARN if request.target is not None else "-",
        f'"{trace}"',
        f'"{plan.SITE_DOMAIN}"' if is_tls else '"-"',
        f'"{CERT_ARN}"' if is_tls else '"-"',
        "10" if request.path.startswith("/api/") else "0",
        _iso(request.time - elapsed),
        f'"{request.actions}"',
        f'"{redirect}"',
        '"-"',
    ]


def node_for(client: str, node_count: int) -> int:
    """Return the one load balancer node that a client's cached DNS record points to."""
    return int(client.rsplit(".", 1)[1]) % node_count


class Background:
    """Ordinary requests to the demo site reaching one load balancer node."""

    def __init__(
        self, node: int, node_count: int, targets: list[str], seed: str, scale: float
    ) -> None:
        self.rng = random.Random(seed)
        self.scale = scale / node_count
        self.clients = [c for c in plan.WEB_CLIENTS if node_for(c, node_count) == node]
        self.agents = {c: BROWSERS[i % len(BROWSERS)] for i, c in enumerate(self.clients)}
        self.targets = [f"{address}:8080" for address in targets]

    def window(self, window: int, seconds: int = 60) -> list[str]:
        """Return the access log lines of requests completed in [window, window + seconds)."""
        rng = self.rng
        lines = []
        for _ in range(draw_count(rng, 25 * seconds / 60 * activity(window) * self.scale)):
            request = self._request(window + rng.random() * seconds)
            lines.append(format_line(rng, request))
        return lines

    def _request(self, when: float) -> Request:
        rng = self.rng
        # A few heavy clients (office NATs, crawlers) send most requests, as on real sites.
        client = self.clients[int(len(self.clients) * rng.random() ** 3)]
        method, path, statuses = rng.choice(PAGES)
        path = path.replace("{n}", str(1000 + rng.randrange(400)))
        if rng.random() < 0.04:
            return Request(
                when,
                client,
                rng.randint(1024, 65535),
                method,
                path,
                self.agents[client],
                301,
                None,
                "http",
                "redirect",
            )
        protocol = "h2" if rng.random() < 0.6 else "https"
        return Request(
            when,
            client,
            rng.randint(1024, 65535),
            method,
            path,
            self.agents[client],
            rng.choice(statuses),
            rng.choice(self.targets),
            protocol,
        )


def sort_key(line: str) -> str:
    """Return a line's response time, for ordering the lines of a file."""
    return line.split(" ", 2)[1]
