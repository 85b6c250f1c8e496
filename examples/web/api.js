// A small client for the Debrief API: one function per call the page makes.
// Every failure becomes an ApiError whose message a person can read: the problem's
// `detail` (RFC 9457) or, when the request never got an answer, a network message.

export class ApiError extends Error {
  constructor(message, problem = null) {
    super(message);
    this.problem = problem; // the RFC 9457 document, when the API sent one
  }
}

export function connect(baseUrl, token) {
  const base = baseUrl.replace(/\/+$/, "");

  async function call(method, path, body) {
    const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      // The browser hides why (refused connection, CORS, offline) from scripts.
      throw new ApiError(
        `Could not reach Debrief at ${base}: the server is down or does not accept ` +
          "requests from this page's address (a network or CORS error).",
      );
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const detail = data?.detail ?? `The request failed (HTTP ${response.status}).`;
      throw new ApiError(detail, data);
    }
    return data;
  }

  return {
    // The version the session is pinned to, so a resumed session keeps its questions;
    // in the session's locale when it has one (else the browser's Accept-Language).
    questionSet: ({ key, version }, locale) =>
      call(
        "GET",
        `/v1/question-sets/${encodeURIComponent(key)}/versions/${version}` +
          (locale ? `?locale=${encodeURIComponent(locale)}` : ""),
      ),
    sessions: (candidateId) =>
      call("GET", `/v1/sessions?limit=100&candidate_id=${encodeURIComponent(candidateId)}`),
    session: (id) => call("GET", `/v1/sessions/${id}`),
    createSession: (fields) => call("POST", "/v1/sessions", fields),
    saveAnswers: (id, answers) => call("PUT", `/v1/sessions/${id}/answers`, { answers }),
    diagnose: (id) => call("POST", `/v1/sessions/${id}/diagnoses`, {}),
    draftMessage: (id, kind) => call("POST", `/v1/sessions/${id}/messages`, { kind }),
  };
}
