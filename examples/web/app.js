// The page's flow: connect → pick or start a session → answer → diagnosis → email.
import { ApiError, connect } from "./api.js";
import { applyProgress, fillAnswers, readAnswer, renderQuestionSet, showFieldErrors } from "./questions.js";
import { showDiagnosis, showEmail } from "./results.js";

const $ = (selector) => document.querySelector(selector);
const state = { api: null, session: null, questions: [], saving: Promise.resolve() };

function showProblem(message) {
  $("#problem").textContent = message;
  $("#problem").hidden = false;
}

// Runs one user action; an API problem is shown by its `detail`, never swallowed.
async function run(action) {
  $("#problem").hidden = true;
  try {
    await action();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showProblem(error.message);
  }
}

// A candidate token is a JWT whose subject is the candidate's id; the page only reads it
// (the API is what checks the signature).
function tokenSubject(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)).sub ?? null;
  } catch {
    return null; // an organisation API key (dbr_…) is not a JWT
  }
}

async function onConnect(event) {
  event.preventDefault();
  const form = event.target;
  const candidateId = form.candidate.value.trim() || tokenSubject(form.token.value);
  await run(async () => {
    if (!candidateId) throw new ApiError("Enter the candidate id: this key does not name a candidate.");
    state.api = connect(form.api.value, form.token.value);
    state.candidateId = candidateId;
    const page = await state.api.sessions(candidateId);
    listSessions(page.items.slice().reverse()); // newest first
  });
}

function listSessions(sessions) {
  const list = $("#session-list");
  list.replaceChildren();
  for (const session of sessions) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = `Continue: ${session.role_title} at ${session.company}`;
    button.addEventListener("click", () => run(() => openSession(session)));
    const entry = document.createElement("li");
    entry.append(button);
    list.append(entry);
  }
  $("#sessions").hidden = false;
}

async function onNewSession(event) {
  event.preventDefault();
  const form = event.target;
  const interviewer = {};
  if (form.interviewer_name.value.trim()) interviewer.name = form.interviewer_name.value.trim();
  if (form.interviewer_email.value.trim()) interviewer.email = form.interviewer_email.value.trim();
  await run(async () => {
    const session = await state.api.createSession({
      candidate_id: state.candidateId,
      company: form.company.value,
      role_title: form.role_title.value,
      interviewer,
    });
    await openSession(session);
  });
}

async function openSession(session) {
  const questionSet = await state.api.questionSet(session.self_reflection.question_set, session.locale);
  state.session = session;
  state.questions = renderQuestionSet($("#reflection-form"), questionSet);
  fillAnswers($("#reflection-form"), state.questions, session.self_reflection.answers);
  $("#reflection-title").textContent = `${questionSet.title} (${session.role_title} at ${session.company})`;
  $("#reflection-description").textContent = questionSet.description ?? "";
  $("#sessions").hidden = true;
  $("#diagnosis").hidden = true;
  $("#email").hidden = true;
  $("#reflection").hidden = false;
  showProgress(session);
}

function showProgress(session) {
  const progress = session.self_reflection.progress;
  applyProgress(state.questions, progress);
  const missing = progress.missing_required.length;
  const answered = `${progress.answered.length} of ${progress.shown.length} answered and saved.`;
  $("#progress").textContent = progress.complete
    ? `${answered} You can now see what likely happened.`
    : `${answered} ${missing} required question${missing === 1 ? "" : "s"} (marked *) still to answer.`;
  $("#diagnose").disabled = !progress.complete;
}

// Saves the changed answer alone (the API merges it); saves run one after another so
// the progress shown is always the latest.
function onAnswerChanged(event) {
  const question = state.questions.find((q) => q.key === event.target.name);
  if (!question) return;
  const answer = { [question.key]: readAnswer($("#reflection-form"), question) };
  state.saving = state.saving.then(() =>
    run(async () => {
      try {
        state.session = await state.api.saveAnswers(state.session.id, answer);
        showFieldErrors(state.questions, null);
        showProgress(state.session);
      } catch (error) {
        showFieldErrors(state.questions, error.problem);
        throw error;
      }
    }),
  );
}

// The URL fragment can carry the settings (#api=…&token=…&candidate=…); the fragment
// never reaches a server, and it is cleared from the address bar once read.
function connectFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.has("token")) return;
  const form = $("#connect-form");
  for (const name of ["api", "token", "candidate"]) {
    if (params.has(name)) form.elements[name].value = params.get(name);
  }
  history.replaceState(null, "", location.pathname + location.search);
  form.requestSubmit();
}

$("#connect-form").addEventListener("submit", onConnect);
$("#session-form").addEventListener("submit", onNewSession);
$("#reflection-form").addEventListener("change", onAnswerChanged);
$("#diagnose").addEventListener("click", () =>
  run(async () => showDiagnosis(await state.api.diagnose(state.session.id))),
);
$("#draft-email").addEventListener("click", () =>
  run(async () => showEmail(await state.api.draftMessage(state.session.id, "feedback_request_email"))),
);
connectFromFragment();
