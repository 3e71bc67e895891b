"""The floor under single-record posts: a Flask app that does only what any JSON API must.

It reads the bearer header, parses the body and answers in the shape of
`POST /api/v1/readings`, with no database, no Redis and no rules. Run under the same
gunicorn and clients as the service, its requests/s is the most the service could
reach on this machine with this stack; the service's figure is read against it.
"""

from __future__ import annotations

from flask import Flask, abort, jsonify, request

app = Flask(__name__)


@app.post("/api/v1/readings")
def post_readings():
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        abort(401)
    items = (request.get_json(silent=True) or {}).get("readings") or []
    return jsonify(
        {
            "accepted": len(items),
            "duplicates": 0,
            "rejected": 0,
            "results": [{"index": i, "status": "accepted"} for i in range(len(items))],
        }
    )


@app.get("/healthz")
def healthz():
    return jsonify({"database": "n/a", "redis": "n/a"})
