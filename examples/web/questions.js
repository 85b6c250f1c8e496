// Renders a question set as form controls, one per question kind, and reads answers
// back. Which questions are visible is never decided here: the server's progress
// (`shown`) says so after every save, so branching lives in one place.

let uid = 0;
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

// A group of radios or checkboxes inside a fieldset whose legend is the prompt.
function choices(question, type, items) {
  const fieldset = el("fieldset");
  fieldset.append(el("legend", { textContent: question.prompt }));
  for (const [value, label] of items) {
    const id = `q${++uid}`;
    const input = el("input", { type, id, name: question.key, value });
    fieldset.append(el("div", { className: "choice" }, input, el("label", { htmlFor: id, textContent: label })));
  }
  return fieldset;
}

// One labelled control for questions answered with a single field.
function single(question, control) {
  control.id = `q${++uid}`;
  control.name = question.key;
  return el("div", {}, el("label", { htmlFor: control.id, textContent: question.prompt }), control);
}

const renderers = {
  yes_no: (q) => choices(q, "radio", [["true", "Yes"], ["false", "No"]]),
  single_choice: (q) => choices(q, "radio", q.options.map((o) => [o.key, o.label])),
  multi_choice: (q) => choices(q, "checkbox", q.options.map((o) => [o.key, o.label])),
  scale: (q) => {
    const items = [];
    for (let n = q.min; n <= q.max; n++) {
      const end = n === q.min ? q.min_label : n === q.max ? q.max_label : null;
      items.push([String(n), end ? `${n} (${end})` : String(n)]);
    }
    return choices(q, "radio", items);
  },
  text: (q) => single(q, el("textarea", { rows: 3, maxLength: q.max_length })),
  list: (q) => single(q, el("textarea", { rows: 3, placeholder: "One per line" })),
  number: (q) => single(q, el("input", { type: "number", step: q.integer ? "1" : "any", min: q.min ?? "", max: q.max ?? "" })),
  date: (q) => single(q, el("input", { type: "date" })),
};

// The answer a question's controls hold, as the API expects it; null clears it.
export function readAnswer(form, question) {
  const inputs = [...form.elements].filter((input) => input.name === question.key);
  switch (question.kind) {
    case "yes_no": {
      const picked = inputs.find((i) => i.checked);
      return picked ? picked.value === "true" : null;
    }
    case "scale": {
      const picked = inputs.find((i) => i.checked);
      return picked ? Number(picked.value) : null;
    }
    case "single_choice":
      return inputs.find((i) => i.checked)?.value ?? null;
    case "multi_choice": {
      const picked = inputs.filter((i) => i.checked).map((i) => i.value);
      return picked.length ? picked : null;
    }
    case "list": {
      const lines = inputs[0].value.split("\n").map((l) => l.trim()).filter(Boolean);
      return lines.length ? lines : null;
    }
    case "number":
      return inputs[0].value === "" ? null : Number(inputs[0].value);
    default:
      return inputs[0].value.trim() === "" ? null : inputs[0].value;
  }
}

// Puts stored answers back into the controls (when a session is resumed).
export function fillAnswers(form, questions, answers) {
  for (const question of questions) {
    const value = answers[question.key];
    if (value === undefined || value === null) continue;
    for (const input of form.elements) {
      if (input.name !== question.key) continue;
      if (input.type === "radio") input.checked = input.value === String(value);
      else if (input.type === "checkbox") input.checked = value.includes(input.value);
      else input.value = Array.isArray(value) ? value.join("\n") : String(value);
    }
  }
}

// Builds the form; returns the questions in order, each with the element that wraps it.
export function renderQuestionSet(form, questionSet) {
  form.replaceChildren();
  const questions = [];
  for (const section of questionSet.sections) {
    const block = el("section", { className: "question-section" });
    block.append(el("h3", { textContent: section.title }));
    if (section.description) block.append(el("p", { className: "hint", textContent: section.description }));
    for (const question of section.questions) {
      const render = renderers[question.kind] ?? renderers.text;
      const wrapper = el("div", { className: "question" }, render(question));
      if (question.required) wrapper.classList.add("required");
      if (question.help) wrapper.append(el("p", { className: "hint", textContent: question.help }));
      const errorId = `q${++uid}-error`;
      wrapper.append(el("p", { className: "field-error", id: errorId, hidden: true }));
      wrapper.querySelectorAll("input, textarea").forEach((input) => input.setAttribute("aria-describedby", errorId));
      wrapper.dataset.key = question.key;
      block.append(wrapper);
      questions.push({ ...question, wrapper, section: block });
    }
    form.append(block);
  }
  return questions;
}

// Shows exactly the questions the server listed in `progress.shown`, and hides a
// section when none of its questions is shown.
export function applyProgress(questions, progress) {
  const shown = new Set(progress.shown);
  for (const question of questions) question.wrapper.hidden = !shown.has(question.key);
  for (const section of new Set(questions.map((q) => q.section))) {
    section.hidden = ![...section.querySelectorAll(".question")].some((w) => !w.hidden);
  }
}

// Shows the detail of each invalid answer next to its question (pointer /body/answers/<key>).
export function showFieldErrors(questions, problem) {
  for (const question of questions) {
    const message = question.wrapper.querySelector(".field-error");
    const error = problem?.errors?.find((e) => e.pointer.split("/")[3] === question.key);
    message.hidden = !error;
    message.textContent = error ? error.detail : "";
    question.wrapper.querySelectorAll("input, textarea").forEach((input) => {
      if (error) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  }
}
