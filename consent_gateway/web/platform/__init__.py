"""What serves every request: security headers, rate limits and their storage, the request log,
metrics, answers replayed from memory, health, gunicorn's production settings."""
