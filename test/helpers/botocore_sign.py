"""Sign requests with botocore for the SigV4 property tests.

Reads one JSON request per line on stdin, writes one JSON line per request on stdout:
  in:  {"mode": "header"|"query", "method", "url", "headers": {name: value},
        "params": [[k, v], ...] | null, "bodyB64", "amzDate": "YYYYMMDDTHHMMSSZ",
        "accessKeyId", "secretAccessKey", "token": str | null,
        "region", "service", "expires": int}
  out: {"url", "headers": [[name, value], ...], "bodyB64"}  or  {"error": "..."}

The clock is fixed by replacing botocore.auth.get_current_datetime, which SigV4Auth and
SigV4QueryAuth call to stamp the request; nothing else is patched.
"""

import base64
import datetime
import json
import sys

import botocore.auth
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(r):
    now = datetime.datetime.strptime(r["amzDate"], "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda *args, **kwargs: now
    creds = Credentials(r["accessKeyId"], r["secretAccessKey"], r.get("token"))
    body = base64.b64decode(r.get("bodyB64") or "")
    params = [tuple(p) for p in r["params"]] if r.get("params") else None
    req = AWSRequest(
        method=r["method"],
        url=r["url"],
        headers=r.get("headers") or {},
        data=body if body else None,
        params=params,
    )
    if r["mode"] == "header":
        SigV4Auth(creds, r["service"], r["region"]).add_auth(req)
    else:
        SigV4QueryAuth(creds, r["service"], r["region"], expires=r.get("expires", 3600)).add_auth(req)
    prepared = req.prepare()
    sent = prepared.body or b""
    if isinstance(sent, str):
        sent = sent.encode("utf-8")
    return {
        "url": prepared.url,
        "headers": [[k, v] for k, v in prepared.headers.items()],
        "bodyB64": base64.b64encode(sent).decode("ascii"),
    }


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            out = sign(json.loads(line))
        except Exception as e:  # report, keep serving
            out = {"error": repr(e)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
