"""The baseline of the throughput bench: a bare Flask "hello", served with the same settings."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
