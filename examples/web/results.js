// Shows what the API says after the reflection: the diagnosis and the drafted email.

const VERDICTS = {
  mixed: "More than one reason, too close to call",
  inconclusive: "Not enough answered yet to tell",
};

const item = (tag, text) => Object.assign(document.createElement(tag), { textContent: text });

export function showDiagnosis(diagnosis) {
  const verdict = diagnosis.verdict;
  const leading = verdict.categories.find((c) => c.key === verdict.primary_category);
  const name = leading?.label ?? VERDICTS[verdict.primary_category] ?? verdict.primary_category;
  const confidence = Math.round(verdict.confidence * 100);
  document.querySelector("#verdict").textContent = `${name} (confidence ${confidence}%)`;

  // Each fired rule explains itself in words, quoting the candidate's own answers.
  const reasons = document.querySelector("#reasons");
  reasons.replaceChildren(...verdict.fired_rules.filter((r) => r.cf > 0).map((r) => item("li", r.because)));
  if (!reasons.children.length) reasons.append(item("li", "Nothing stood out yet."));

  const steps = document.querySelector("#next-steps");
  steps.replaceChildren(...verdict.next_steps.map((s) => item("li", s.text)));
  document.querySelector("#diagnosis").hidden = false;
}

export function showEmail(message) {
  document.querySelector("#email-subject").textContent = message.subject;
  document.querySelector("#email-text").textContent = message.text;
  const mailto = document.querySelector("#mailto");
  mailto.hidden = !message.mailto_url; // only messages sent by email have one
  if (message.mailto_url) mailto.href = message.mailto_url;
  document.querySelector("#email").hidden = false;
}
