def test_accept_then_verify(client, post_consent):
    r = post_consent("accept_all")
    assert r.status_code == 201, r.get_json()
    token = r.get_json()["token"]
    v = client.post("/api/v1/receipts/verify", json={"token": token}).get_json()
    assert v["valid"] is True and v["status"] == "active"
