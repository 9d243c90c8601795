#!/usr/bin/env python3
"""IMDSv2 stand-in for the operating-system harness.

Listens on 169.254.169.254:80 inside the instance's network namespace. PUT /latest/api/token
returns a token; every GET under /latest/meta-data/ must carry it in X-aws-ec2-metadata-token
(401 otherwise, as IMDSv2 does). The tree is read from a JSON file on every request, so the harness
can attach and detach interfaces (network/interfaces/macs/...) while the server runs:

  {"interfaces": {"02:00:00:00:00:10": {"device-number": "0", "interface-id": "eni-...",
                                          "local-ipv4s": ["10.0.0.10"], "subnet-ipv4-cidr-block": "10.0.0.0/24"}}}
"""
import json
import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = sys.argv[1]
ADDRESS = sys.argv[2] if len(sys.argv) > 2 else '169.254.169.254'
TOKENS = set()


def lookup(path):
    with open(STATE, encoding='utf-8') as f:
        data = json.load(f)
    interfaces = data.get('interfaces', {})
    parts = [p for p in path.split('/') if p]
    if parts[:3] != ['network', 'interfaces', 'macs']:
        return None
    if len(parts) == 3:
        return ''.join(f'{mac}/\n' for mac in interfaces).rstrip('\n')
    mac = parts[3]
    if mac not in interfaces:
        return None
    attrs = interfaces[mac]
    if len(parts) == 4:
        return '\n'.join(sorted(attrs))
    value = attrs.get(parts[4]) if len(parts) == 5 else None
    if value is None:
        return None
    return '\n'.join(value) if isinstance(value, list) else str(value)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def reply(self, code, body=''):
        data = body.encode()
        self.send_response(code)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):  # noqa: N802
        if self.path != '/latest/api/token' or not self.headers.get('X-aws-ec2-metadata-token-ttl-seconds'):
            self.reply(400)
            return
        token = secrets.token_urlsafe(24)
        TOKENS.add(token)
        self.reply(200, token)

    def do_GET(self):  # noqa: N802
        if self.headers.get('X-aws-ec2-metadata-token') not in TOKENS:
            self.reply(401)
            return
        prefix = '/latest/meta-data/'
        value = lookup(self.path[len(prefix):]) if self.path.startswith(prefix) else None
        if value is None:
            self.reply(404, 'Not Found')
        else:
            self.reply(200, value)

    def log_message(self, fmt, *args):
        pass


ThreadingHTTPServer.allow_reuse_address = True
ThreadingHTTPServer((ADDRESS, 80), Handler).serve_forever()
