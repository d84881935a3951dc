"""The site's own contact form (data-iq-contact) goes through the gateway with the receipt token."""

from __future__ import annotations

import json

from browser_support import assert_accessible, banner, open_demo, wait_for_receipt
from playwright.sync_api import Page, expect

PERSON = {"surname": "Martin", "first_name": "Claire", "email": "claire.martin@example.fr",
          "message": "Je souhaite un échéancier."}


def fill(page: Page, values: dict[str, str]) -> None:
    form = page.locator("form[data-iq-contact]")
    for name, value in values.items():
        form.locator(f"[name={name}]").fill(value)


def test_contact_form_reaches_the_gateway_and_says_what_was_kept(page: Page, demo_url: str):
    sent: list[dict] = []
    page.on("request", lambda r: sent.append(json.loads(r.post_data))
            if r.method == "POST" and r.url.endswith("/contact") else None)
    open_demo(page, demo_url)
    banner(page).get_by_role("button", name="Tout refuser", exact=True).click()
    decision = wait_for_receipt(page)
    fill(page, PERSON)
    page.get_by_role("button", name="Envoyer").click()
    status = page.locator("[data-iq-contact-status]")
    expect(status).to_contain_text("Votre message a bien été envoyé.")
    body = sent[-1]
    assert body["consent_token"] == decision["token"]
    assert body["fields"] == PERSON  # no audience measurement: no connection time, no pages
    assert page.locator("[name=surname]").input_value() == ""


def test_contact_errors_mark_the_field_and_analytics_fields_need_consent(page: Page, demo_url: str):
    open_demo(page, demo_url)
    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    decision = wait_for_receipt(page)
    bodies: list[dict] = []
    answers = [
        (400, {"error": "invalid_email", "message": "email: is not a valid email address", "field": "email"}),
        (201, {"submission_id": "s1", "stored": ["surname", "first_name", "email", "message"],
               "dropped": [{"field": "phone", "reason": "not_declared"}]}),
    ]

    def answer(route):
        bodies.append(json.loads(route.request.post_data))
        status, payload = answers[len(bodies) - 1]
        route.fulfill(status=status, json=payload)

    page.route("**/api/v1/sites/demo/contact", answer)
    fill(page, {**PERSON, "email": "claire@"})
    page.get_by_role("button", name="Envoyer").click()
    email = page.locator("[name=email]")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    # In the page's language (the API's messages are English), naming the field by its label.
    expect(page.locator("#" + email.get_attribute("aria-describedby"))).to_have_text(
        "Vérifiez le champ « Adresse e-mail ».")
    assert_accessible(page, ["form[data-iq-contact]"])
    assert bodies[0]["consent_token"] == decision["token"]
    assert bodies[0]["fields"]["pages_visited"] == "/demo/demo"
    assert bodies[0]["fields"]["connection_time"].endswith("Z")

    email.fill("claire.martin@example.fr")
    page.get_by_role("button", name="Envoyer").click()
    status = page.locator("[data-iq-contact-status]")
    expect(status).to_contain_text("Votre message a bien été envoyé.")
    # What was not kept, in the page's words: never the API's reason codes.
    expect(status).to_contain_text("Informations non conservées : Téléphone")
    expect(status).not_to_contain_text("not_declared")
    expect(email).not_to_have_attribute("aria-invalid", "true")
