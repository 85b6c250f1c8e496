"""Candidates written from the article, each with the verdict a career coach would give.

`factor` is the strongest factor of the leading category (None when the verdict is mixed
or inconclusive); `why` is the coach's reason, kept beside the case so a failure reads as
an argument with the method, not as a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Persona:
    name: str
    answers: dict[str, Any]
    verdict: str
    factor: str | None
    why: str
    feedback: dict[str, Any] = field(default_factory=dict)
    session: dict[str, Any] = field(default_factory=dict)

    def inputs(self) -> dict[str, Any]:
        session = {"company": "Northwind", "stage_reached": "first_interview", "posting": {}}
        return {
            "answers": self.answers,
            "feedback": self.feedback,
            "session": {**session, **self.session},
            "history": {},
        }


PERSONAS = [
    Persona(
        "reluctant switcher",
        {
            "wow_self_rating": 3,
            "interviewer_signals": ["neutral"],
            "articulated_fit": True,
            "wanted_job": False,
            "enthusiasm": 2,
            "main_motivation": "leaving_current_job",
            "better_fit_positions": ["UX research"],
        },
        "direction",
        "targeting",
        "Said no to question 3 and named better-fitting positions: low enthusiasm and wanting "
        "out are symptoms of the wrong target, so the advice is question 5, not interview drills.",
    ),
    Persona(
        "escape artist with a weak interview",
        {
            "wow_self_rating": 2,
            "interviewer_signals": ["bored"],
            "articulated_fit": False,
            "had_advocate": False,
            "referral": False,
            "insider_conversations": 0,
            "wanted_job": False,
            "enthusiasm": 1,
            "main_motivation": "leaving_current_job",
            "fought_for_it": 1,
            "better_fit_positions": ["Data analyst", "Operations analyst"],
        },
        "direction",
        "targeting",
        "Many small in-person signs, one clear answer: they did not want this job. Coaching "
        "the interview for a role they do not want is wasted effort; retarget first.",
    ),
    Persona(
        "wanted it, will not close the gap",
        {
            "wow_self_rating": 4,
            "interviewer_signals": ["engaged"],
            "articulated_fit": True,
            "wanted_job": True,
            "enthusiasm": 4,
            "missing_required_credentials": ["CPA licence"],
            "willing_to_invest": False,
        },
        "direction",
        "targeting",
        "Question 4 ends on 'are you willing to do what it takes?': a required licence they "
        "will not get points them to question 5, however much they wanted this one.",
    ),
    Persona(
        "lost the room",
        {
            "wow_self_rating": 2,
            "interviewer_signals": ["bored", "confused"],
            "articulated_fit": False,
            "had_advocate": True,
            "wanted_job": True,
            "enthusiasm": 5,
        },
        "in_person",
        "impression",
        "Wanted it, was backed inside, but the interviewer drifted and they never said why they "
        "were the best person: the impression is the thing to work on.",
    ),
    Persona(
        "the outsider",
        {
            "wow_self_rating": 4,
            "interviewer_signals": ["engaged"],
            "articulated_fit": True,
            "had_advocate": False,
            "referral": False,
            "insider_conversations": 0,
            "wanted_job": True,
            "enthusiasm": 4,
        },
        "in_person",
        "relationships",
        "A good interview lost to an internal candidate, with nobody inside to speak for them: "
        "relationships built in advance are the gap.",
        feedback={"hired_edge": ["internal_candidate"]},
    ),
    Persona(
        "missing the required certificate",
        {
            "wow_self_rating": 4,
            "interviewer_signals": ["engaged"],
            "wanted_job": True,
            "enthusiasm": 5,
            "missing_required_credentials": ["PMP"],
            "willing_to_invest": True,
        },
        "on_paper",
        "credentials",
        "The posting required a PMP, the hire had a credential they lack, and they are willing "
        "to get it: an on-paper gap with a plan.",
        feedback={"hired_edge": ["specific_credential"]},
    ),
    Persona(
        "too few years, stopped at the CV",
        {
            "wow_self_rating": 3,
            "wanted_job": True,
            "enthusiasm": 4,
            "years_experience": 2,
            "willing_to_invest": True,
        },
        "on_paper",
        "experience",
        "Rejected at the application with two years against five asked: nobody met them, so "
        "the papers decided.",
        session={"stage_reached": "application", "posting": {"years_required": 5}},
    ),
    Persona(
        "interviewer doubts the direction",
        {
            "wow_self_rating": 4,
            "interviewer_signals": ["engaged"],
            "articulated_fit": True,
            "wanted_job": True,
            "enthusiasm": 4,
        },
        "direction",
        "targeting",
        "They wanted it and interviewed well, but the interviewer said they are not pursuing "
        "the right opportunities and named others: the interviewer's word outweighs theirs.",
        feedback={"right_opportunities": False, "other_opportunities": ["Research operations"]},
    ),
    Persona(
        "one worried face among engaged ones",
        {
            "wow_self_rating": 3,
            "interviewer_signals": ["engaged", "neutral", "worried"],
            "articulated_fit": True,
            "had_advocate": True,
            "wanted_job": True,
            "enthusiasm": 4,
        },
        "in_person",
        "impression",
        "A worried look is the only warning sign they saw: a question on the impression "
        "they made, and nothing on paper or in their direction.",
    ),
    Persona(
        "strong interview from the other candidate",
        {
            "wow_self_rating": 4,
            "interviewer_signals": ["engaged"],
            "articulated_fit": True,
            "wanted_job": True,
            "enthusiasm": 5,
        },
        "in_person",
        "impression",
        "Reached the final round (their papers were enough) and the interviewer said the hire "
        "interviewed better, with feedback on their examples: work on the stories.",
        feedback={
            "hired_edge": ["stronger_interview"],
            "feedback_themes": ["examples_of_experience"],
        },
        session={"stage_reached": "final_interview"},
    ),
    Persona(
        "wanted it, but it showed as wanting out",
        {
            "wow_self_rating": 3,
            "wanted_job": True,
            "enthusiasm": 3,
            "main_motivation": "leaving_current_job",
            "fought_for_it": 2,
        },
        "in_person",
        "enthusiasm",
        "They say they wanted the role, yet their drive was leaving their job and the "
        "interviewer's feedback was about how they showed interest: visible enthusiasm.",
        feedback={"feedback_themes": ["articulation_of_interest"]},
    ),
    Persona(
        "said no, has not named an alternative yet",
        {
            "wow_self_rating": 4,
            "interviewer_signals": ["engaged"],
            "articulated_fit": True,
            "wanted_job": False,
            "enthusiasm": 2,
        },
        "direction",
        "targeting",
        "A good interview for a job they did not want: the next step is question 5, naming "
        "what to go after instead.",
    ),
    Persona(
        "both the interview and the papers",
        {
            "wow_self_rating": 3,
            "articulated_fit": False,
            "wanted_job": True,
            "enthusiasm": 4,
            "missing_required_credentials": ["MBA"],
            "willing_to_invest": True,
        },
        "mixed",
        None,
        "The interviewer named both a stronger interview and a credential, and the candidate "
        "confirms both: neither line of evidence is stronger.",
        feedback={"hired_edge": ["stronger_interview", "specific_credential"]},
    ),
    Persona(
        "right direction, credential suggested",
        {
            "wow_self_rating": 4,
            "interviewer_signals": ["inspired"],
            "articulated_fit": True,
            "wanted_job": True,
            "enthusiasm": 4,
            "willing_to_invest": True,
        },
        "on_paper",
        "credentials",
        "The interviewer confirmed the direction and suggested a certificate: the gap is on "
        "paper and they are ready to close it.",
        feedback={"right_opportunities": True, "suggested_credentials": ["Google UX certificate"]},
    ),
    Persona(
        "barely started",
        {"wow_self_rating": 3},
        "inconclusive",
        None,
        "One answer is not enough for any coach to say why.",
    ),
]
