"""Demo log generator: a day of VPC Flow Logs, ALB access logs and Resolver query logs.

The package imports nothing from Django, so it runs from a plain script as well as from the
`generate_logs` management command.
"""

from pathlib import Path

# The demo threat-intelligence lists that the generated attacks match.
INTEL_DIR = Path(__file__).resolve().parent / "intel"
INTEL_IP_LIST = INTEL_DIR / "ip-blocklist.txt"
INTEL_MALWARE_DOMAINS = INTEL_DIR / "malware-domains.txt"
INTEL_PHISHING_DOMAINS = INTEL_DIR / "phishing-domains.txt"
