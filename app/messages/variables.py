"""What each template variable holds, for template authors (`GET /v1/templates/variables`)."""

from __future__ import annotations

from app.messages.schemas import VariableRead

_PERSON = {
    "name": "full name, as recorded",
    "email": "email address, or empty",
    "they": "subject pronoun as given (`she`), else the name",
    "them": "object pronoun as given (`her`), else the name",
    "their": "possessive as given (`her`), else the name with ’s",
    "pronouns_known": "true when pronouns were given",
    "pronouns": "the pronouns as given, or empty",
    "address_as": "the words they asked to be greeted by, or empty",
    "signature": "how they sign: the sign-off name given, else the full name",
}

_DESCRIPTIONS = {
    "kind": "the kind of message, e.g. `feedback_request_email`",
    "tone": "`warm`, `formal` or `concise`",
    "locale": "the locale written in, e.g. `en`",
    **{f"candidate.{k}": f"the candidate's {v}" for k, v in _PERSON.items()},
    **{f"interviewer.{k}": f"the interviewer's {v}" for k, v in _PERSON.items()},
    "interviewer.title": "the interviewer's job title, or empty",
    "interviewer.phone": "the interviewer's phone number, or empty",
    "greeting": "the salutation with its comma, by tone: `Hi Jordan,` or `Dear Jordan,` "
    "when the interviewer's address_as is given, else `Hello,` (`Dear <name>,` when formal)",
    "company": "the company that interviewed",
    "role": "the role applied for",
    "interview_date": "the interview's date, written out (`20 November 2026`), or empty",
    "request.sent_on": "when the feedback request was sent, written out, or empty",
    "request.days": "days since the feedback request was sent, or empty",
    "request.elapsed": "those days with their noun, in the locale's plural form "
    "(`3 days`, `1 jour`), or empty",
    "call.minutes": "the length of the call asked for (15)",
    "call.length": "that length with its noun, in the locale's plural form (`15 minutes`)",
    "call.when": "when the call is, in the candidate's time zone, or empty",
    "learned": "one thing learned on the call, in the candidate's words, or empty",
    "news": "news of the candidate's progress, or empty",
    "diagnosis.leading": "the latest diagnosis's leading reason (`in_person`, …), or empty",
    "diagnosis.uncertain": "reasons the diagnosis is unsure of, as a list",
    "questions": "call script: the five interviewer questions in the order to ask them; "
    "each has key, title, ask, follow_up, answer_keys, categories, focus_reason "
    "(why it comes early, true of that question, or empty)",
    "closing_notes": "call script: the heading for notes on staying in touch",
}

VARIABLES = [VariableRead(name=name, description=text) for name, text in _DESCRIPTIONS.items()]
