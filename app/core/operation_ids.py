"""Operation ids that read as a verb on a resource (`listSessions`, `getCandidate`).

Every route gets one from its endpoint's name, camelCased: the code already names its
endpoints verb-first, so a new route is named well without anyone thinking of it. Where
the endpoint's name alone reads badly in a generated client (it lacks the resource, or two
routes share it), the override below names it.
"""

from __future__ import annotations

from fastapi.routing import APIRoute

# "METHOD /path" → operation id, where the endpoint's own name reads badly.
OVERRIDES: dict[str, str] = {
    "POST /v1/candidates/{candidate_id}/calendar-feed": "createCandidateCalendarFeed",
    "DELETE /v1/candidates/{candidate_id}/calendar-feed": "revokeCandidateCalendarFeed",
    "GET /v1/calendar-feeds/{token}.ics": "getCalendarFeed",
    "GET /v1/candidates/{candidate_id}/access-log": "listCandidateAccessLog",
    "POST /v1/candidates/{candidate_id}/grants": "createCandidateGrant",
    "GET /v1/candidates/{candidate_id}/grants": "listCandidateGrants",
    "GET /v1/candidates/{candidate_id}/grants/{grant_id}": "getCandidateGrant",
    "POST /v1/candidates/{candidate_id}/grants/{grant_id}/revoke": "revokeCandidateGrant",
    "GET /v1/follow-up-cadence": "getFollowUpCadence",
    "PUT /v1/follow-up-cadence": "replaceFollowUpCadence",
    "GET /healthz": "checkHealth",
    "GET /readyz": "checkReadiness",
    "DELETE /v1/api-keys/{api_key_id}": "revokeApiKey",
    "PATCH /v1/question-sets/{key}/versions/{version}": "updateQuestionSetDraft",
    "POST /v1/question-sets/{key}/versions/{version}/validate": "validateQuestionSetAnswers",
    "PUT /v1/sessions/{session_id}/answers": "replaceSessionAnswers",
    "PUT /v1/sessions/{session_id}/interviewer-feedback": "replaceSessionInterviewerFeedback",
    "POST /v1/sessions/{session_id}/transitions": "transitionSession",
    "GET /v1/sessions/{session_id}/events": "listSessionEvents",
    "GET /v1/sessions/{session_id}/action-items": "listSessionActionItems",
    "POST /v1/sessions/{session_id}/action-items": "createSessionActionItem",
    "GET /v1/sessions/{session_id}/diagnoses": "listSessionDiagnoses",
    "POST /v1/sessions/{session_id}/messages": "createSessionMessage",
    "GET /v1/sessions/{session_id}/messages": "listSessionMessages",
    "GET /v1/candidates/{candidate_id}/insights": "getCandidateInsights",
    "GET /v1/templates/variables": "listTemplateVariables",
    "POST /v1/messages/{message_id}/sent": "markMessageSent",
    "POST /v1/webhook-endpoints": "createWebhookEndpoint",
    "GET /v1/webhook-endpoints": "listWebhookEndpoints",
    "GET /v1/webhook-endpoints/{endpoint_id}": "getWebhookEndpoint",
    "PATCH /v1/webhook-endpoints/{endpoint_id}": "updateWebhookEndpoint",
    "DELETE /v1/webhook-endpoints/{endpoint_id}": "deleteWebhookEndpoint",
    "POST /v1/webhook-endpoints/{endpoint_id}/rotate-secret": "rotateWebhookEndpointSecret",
    "GET /v1/webhook-endpoints/{endpoint_id}/deliveries": "listWebhookDeliveries",
    "POST /v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay": (
        "replayWebhookDelivery"
    ),
    "POST /v1/webhook-endpoints/{endpoint_id}/test": "sendWebhookTest",
}


def camel_case(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def operation_id(route: APIRoute, method: str) -> str:
    """The id of one operation: an explicit one on the route, an override, or the name."""
    if route.operation_id:
        return route.operation_id
    return OVERRIDES.get(f"{method.upper()} {route.path_format}") or camel_case(route.name)
