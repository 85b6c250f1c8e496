// A short flow through the API with the types openapi-typescript generates from
// openapi/openapi.json (default settings) and openapi-fetch. `.ci/clients` generates
// generated/schema.d.ts (not committed), type-checks this file and runs it:
//   DEBRIEF_URL=http://127.0.0.1:8000 DEBRIEF_KEY=dbr_… node dist/flow.js
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type Schemas = components["schemas"];

function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`client flow: ${what}`);
}

function present<T>(value: T | undefined, what: string, error?: unknown): T {
  if (value === undefined) throw new Error(`client flow: ${what}: ${JSON.stringify(error)}`);
  return value;
}

const answers: Schemas["AnswersUpdate"]["answers"] = {
  wow_self_rating: 3,
  interviewer_signals: ["neutral"],
  articulated_fit: true,
  wanted_job: false,
  enthusiasm: 2,
  main_motivation: "leaving_current_job",
  better_fit_positions: ["UX research"],
};

async function main(): Promise<void> {
  const client = createClient<paths>({
    baseUrl: process.env.DEBRIEF_URL,
    headers: { Authorization: `Bearer ${process.env.DEBRIEF_KEY}` },
  });
  const run = Math.random().toString(16).slice(2, 10);

  // A field the server fills in (locale, time_zone) is optional to send, present in the answer.
  const candidates: Schemas["CandidateRead"][] = [];
  for (const n of [0, 1]) {
    const { data, error } = await client.POST("/v1/candidates", {
      body: { external_ref: `ts-${run}-${n}`, display_name: "Alex Morgan" },
    });
    candidates.push(present(data, "create a candidate", error));
  }
  const candidate = candidates[0];
  check(candidate.time_zone === "UTC" && candidate.locale === "en", "server defaults");

  const created = await client.POST("/v1/sessions", {
    body: {
      candidate_id: candidate.id,
      company: "Northwind Health",
      role_title: "Product designer",
      interviewer: { name: "Jordan Lee", email: "jordan@example.com" },
    },
  });
  const session = present(created.data, "create a session", created.error);
  const path = { session_id: session.id };

  const answered = await client.PUT("/v1/sessions/{session_id}/answers", {
    params: { path },
    body: { answers },
  });
  present(answered.data, "answer", answered.error);

  const diagnosed = await client.POST("/v1/sessions/{session_id}/diagnoses", {
    params: { path },
    body: {},
  });
  const diagnosis = present(diagnosed.data, "diagnose", diagnosed.error);
  console.log("verdict:", diagnosis.verdict.primary_category);

  const written = await client.POST("/v1/sessions/{session_id}/messages", {
    params: { path },
    body: { kind: "feedback_request_email" },
  });
  const message = present(written.data, "write the feedback request", written.error);
  const read = await client.GET("/v1/messages/{message_id}", {
    params: { path: { message_id: message.id } },
  });
  // The JSON unless `Accept` or `format` asks for text: the type says both.
  const again = present(read.data, "read it", read.error);
  check(typeof again === "object" && again.subject === message.subject, "same subject");
  const eml = await client.GET("/v1/messages/{message_id}/files/{file_format}", {
    params: { path: { message_id: message.id, file_format: "eml" } },
    parseAs: "text",
  });
  check(present(eml.data, "as .eml", eml.error).includes("Subject:"), "an .eml");

  // A move the workflow does not allow: 409, `allowed` lists the ones it does.
  const moved = await client.POST("/v1/sessions/{session_id}/transitions", {
    params: { path },
    body: { to: "call_scheduled" },
  });
  check(moved.response.status === 409, "a 409");
  check(Array.isArray(moved.error?.allowed), "a 409 with allowed");

  // A stale ETag: 412, `current_etag` says what it is now.
  const stale = await client.PATCH("/v1/sessions/{session_id}", {
    params: { path, header: { "If-Match": '"stale"' } },
    body: { notes: "Call went well." },
  });
  check(stale.response.status === 412, "a 412");
  const problem = stale.error as Schemas["PreconditionFailedProblem"] | undefined;
  check(typeof problem?.current_etag === "string", "a 412 with current_etag");

  const first = await client.GET("/v1/candidates", { params: { query: { limit: 1 } } });
  const page = present(first.data, "a first page", first.error);
  check(typeof page.next_cursor === "string", "a next cursor");
  const second = await client.GET("/v1/candidates", {
    params: { query: { limit: 1, cursor: page.next_cursor } },
  });
  const next = present(second.data, "a second page", second.error);
  check(next.items.length === 1 && next.items[0].id !== page.items[0].id, "another item");
  console.log("typescript client flow: ok");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
