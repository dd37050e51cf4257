"""Twenty-odd realistic people through the shipped quiz: placed honestly, never contradicted.

Each person answers the shipped Machine Learning Engineer quiz the way they would
answer it honestly. Each has the rung (and track) a reader of seed 000 would give
them, statements their page must show, and statements that would contradict their
own answers, which must not appear anywhere on their result, on the site or in the
embed (issue 18).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

import pytest
from django.test import Client

from careerquiz.partners.models import Partner
from quiz.attempts import place_and_record
from quiz.models import Attempt, QuizVersion
from tests.reading import said_twice

LEADERSHIP = "people-leadership"
STAFF = "staff"

# Statements that contradict the people described, by what contradicts them.
ENTRY_LEVEL_CERTIFICATES = "At entry level what gets you hired"
INDIA_ONLY = "In India especially"
SERVICES_TITLE_AHEAD = "titled senior while doing junior work"
COUPLE_OF_YEARS = "A couple of years at a product company"
OWNING_PROBLEMS = "Your answers show you owning problems"
MNC_PAY = "MNCs such as Google"
FRESHERS = "freshers who move up fastest"
RUN_AS_OWN_PROBLEM = "Run it as your own problem"
IGNORING_LATENCY = "Ignoring latency requirements"
YOU_NOW = "(you now)"
TOP_KEEPS = "What keeps people at Lead / Staff ML Engineer"
TRY_AI_TOOL = "Try an AI tool"
DELEGATE_ONLY = "Frame your next problem so that someone else can own it end to end, and back"
DATA_SCIENCE_AS_RELATED = "Coming from data science"
JUNIOR_TO_MID = "the jump from junior to mid"
INTO_DATA_SCIENCE = "Sideways into data science"  # for a data scientist it is where they are
NO_OVERLAP = "These ranges do not overlap"
CERTIFICATE_STEPS = ("Deep Learning Specialization", "MLOps Specialization", "AWS Certified")

# Work answers by rung, for people whose answers sit mostly on one rung.
JUNIOR: dict[str, object] = {
    "initiative": "wait",
    "ownership": "my-part",
    "unclear-work": "clear-tasks",
    "risky-work": "goes-elsewhere",
    "ai-review": "if-it-runs",
    "track-record": "reviewed-closely",
    "raise-others": "learning",
    "catch-mistakes": "caught-by-others",
    "direction": "assigned",
    "depth": "watch-and-learn",
}
MID: dict[str, object] = {
    "initiative": "spot-own-area",
    "ownership": "end-to-end",
    "unclear-work": "plan-with-help",
    "risky-work": "with-review",
    "ai-review": "check-my-own",
    "track-record": "own-problem-trusted",
    "raise-others": "answer-questions",
    "catch-mistakes": "own-project",
    "direction": "plan-my-problem",
    "depth": "bounded-piece",
}
SENIOR: dict[str, object] = {
    "initiative": "spot-risks",
    "ownership": "end-to-end-risky",
    "unclear-work": "no-clean-answer",
    "risky-work": "handed-to-me",
    "ai-review": "review-others",
    "track-record": "rarely-checked",
    "raise-others": "mentor",
    "catch-mistakes": "systems-i-review",
    "direction": "direct-projects",
    "depth": "key-calls",
}
LEAD: dict[str, object] = {
    "initiative": "shape-team",
    "ownership": "through-others",
    "unclear-work": "frame-for-others",
    "risky-work": "prepare-others",
    "ai-review": "shape-practice",
    "track-record": "others-bring-theirs",
    "raise-others": "raise-the-level",
    "catch-mistakes": "across-team",
    "direction": "direct-teams",
    "depth": "go-to-expert",
}
MANAGES: dict[str, object] = {
    key: "i-manage"
    for key in (
        "unclear-work",
        "risky-work",
        "ai-review",
        "track-record",
        "catch-mistakes",
        "depth",
    )
}


@dataclass(frozen=True, kw_only=True)
class Person:
    name: str
    story: str
    answers: dict[str, object]
    region: str = "IN"
    rung: str
    track: str = ""
    shows: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    high_confidence: bool | None = None  # None: not part of the story
    headline: tuple[str, ...] = ()  # statements the headline card itself must hold
    extra: dict[str, object] = field(default_factory=dict)


PEOPLE = [
    Person(
        name="intern-three-months",
        story="Three months into an internship at a startup: takes the tickets, asks for the next.",
        answers=JUNIOR
        | {
            "title": "fresher",
            "company": "product",
            "years": "under-2",
            "certificates": "none",
            "skills": ["python"],
        },
        rung="junior",
        never=(YOU_NOW, "Years served do not move you up", OWNING_PROBLEMS),
        shows=(ENTRY_LEVEL_CERTIFICATES,),
    ),
    Person(
        name="services-titled-senior-doing-junior-work",
        story="Six years at a large services firm, titled Senior Associate, never owned a problem.",
        answers=JUNIOR
        | {
            "ai-review": "check-my-own",
            "raise-others": "answer-questions",
            "title": "senior-associate",
            "company": "services",
            "years": "5-to-7",
            "certificates": "several",
        },
        rung="junior",
        shows=(SERVICES_TITLE_AHEAD, "Your answers fit that pattern"),
        never=(FRESHERS, *CERTIFICATE_STEPS, COUPLE_OF_YEARS),
    ),
    Person(
        name="services-engineer-titled-junior-owning-problems",
        story="Three years at a services firm, still titled junior, owns client problems.",
        answers=MID
        | {"title": "junior", "company": "services", "years": "2-to-4", "certificates": "one"},
        rung="mid",
        never=("Your answers fit that pattern", ENTRY_LEVEL_CERTIFICATES),
    ),
    Person(
        name="small-consultancy-senior",
        story="Senior engineer at a 20-person consultancy, handed the risky client systems.",
        answers=SENIOR
        | {"title": "senior", "company": "consulting", "years": "5-to-7", "certificates": "none"},
        rung="senior",
        never=(MNC_PAY, ENTRY_LEVEL_CERTIFICATES, IGNORING_LATENCY, INDIA_ONLY),
    ),
    Person(
        name="product-veteran-twelve-years",
        story="Twelve years at product companies, a senior who mentors and reviews designs.",
        answers=SENIOR | {"title": "senior", "company": "product", "years": "8-plus"},
        rung="senior",
        shows=(MNC_PAY,),
        never=(COUPLE_OF_YEARS, FRESHERS),
    ),
    Person(
        name="staff-ic-owning-evaluation-standards",
        story=(
            "Staff engineer, manages nobody, owns the organisation's evaluation standards; "
            "other teams bring their hardest calls and build on what they decide."
        ),
        answers={
            "initiative": "take-on-hardest",
            "ownership": "own-across-teams",
            "unclear-work": "no-clean-answer",
            "risky-work": "riskiest-across-teams",
            "ai-review": "review-others",
            "track-record": "others-bring-theirs",
            "raise-others": "standards-others-use",
            "catch-mistakes": "across-team",
            "direction": "direct-teams",
            "depth": "go-to-expert",
            "title": "staff",
            "company": "product",
            "years": "8-plus",
        },
        rung="lead",
        track=STAFF,
        shows=("The parallel staff track",),
        headline=(
            "The parallel staff track",
            "On the staff track the way on from here is wider technical reach",
        ),
        never=(
            DELEGATE_ONLY,
            TOP_KEEPS,
            "The staff track: deep instead of wide",
            "on the people-leadership track",
            # Already on the specialist track: not told to branch into it.
            "Management or a principal / specialist track",
        ),
    ),
    Person(
        name="staff-track-senior-going-deep",
        story=(
            "Senior on the way to staff: owns cross-team problems and is the expert others "
            "turn to, but does not yet set direction beyond projects or mentor widely."
        ),
        answers=SENIOR
        | {
            "ownership": "own-across-teams",
            "depth": "go-to-expert",
            "title": "senior",
            "company": "product",
            "years": "5-to-7",
        },
        rung="senior",
        track=STAFF,
        shows=(
            "The parallel staff track",
            "Take the riskiest technical calls across teams",
            "On the staff track the step up stays technical",
            # The answer one rung up is the staff answer, not "frame it for others".
            "The hardest open questions across teams come to me",
        ),
        headline=("The parallel staff track",),
        # Staff-track next moves, not "delegate more".
        never=(
            "Instead of closing each gap yourself",
            "Bring a less experienced engineer into the next risky piece",
            "Help others work through the next unclear problem instead of solving it yourself",
            "I turn unclear problems into work other people can own",
            "Staying the best individual contributor in the room",
            "Shift from your own output to everyone's",
            "People Leadership",
        ),
    ),
    Person(
        name="engineering-manager-of-six",
        story=(
            "Manages six engineers: sets the direction, grows people, and hands the hard "
            "technical calls to a senior engineer on the team."
        ),
        answers=MANAGES
        | {
            "initiative": "shape-team",
            "ownership": "through-others",
            "raise-others": "raise-the-level",
            "direction": "direct-teams",
            "title": "manager",
            "company": "product",
            "years": "8-plus",
        },
        rung="lead",
        track=LEADERSHIP,
        shows=("What this ladder measures", "The people-leadership track", "count for no rung"),
        headline=(
            "The people-leadership track",
            "This ladder measures engineering work up to making other people better",
            "On the people-leadership track the way on from here is wider scope",
            "Low confidence",
        ),
        never=(OWNING_PROBLEMS, YOU_NOW, "Management or a principal / specialist track"),
        high_confidence=False,
    ),
    Person(
        name="associate-director-twelve-years",
        story="Associate director at a services company: no technical work of their own now.",
        answers=MANAGES
        | {
            "initiative": "shape-team",
            "ownership": "through-others",
            "raise-others": "raise-the-level",
            "direction": "direct-teams",
            "title": "head",
            "company": "services",
            "years": "8-plus",
            "certificates": "one",
        },
        rung="lead",
        track=LEADERSHIP,
        shows=("What this ladder measures", "Not measured on the ambiguous and the risky"),
        headline=("The people-leadership track", "Nothing on this ladder: your title is already"),
        never=(OWNING_PROBLEMS, SERVICES_TITLE_AHEAD, YOU_NOW, "Wider scope from here"),
    ),
    Person(
        name="director-at-a-bank",
        story="Director of ML at a bank in the US: sets strategy and grows managers.",
        answers=MANAGES
        | {
            "initiative": "shape-team",
            "ownership": "through-others",
            "raise-others": "raise-the-level",
            "direction": "direct-teams",
            "title": "head",
            "company": "in-house",
            "years": "8-plus",
        },
        region="US",
        rung="lead",
        track=LEADERSHIP,
        shows=(
            # The IC band is said to be one; the source's band for the head of AI is beside it.
            "for individual contributors",
            "it gives no pay for managers",
            "ML architect or head of AI",
            "Your placement reads the part of your work this ladder covers",
        ),
        headline=("not how well you manage",),
        # Placed on the top rung by their answers about other people's output, they never
        # read that the ladder measures only their own engineering.
        never=(
            OWNING_PROBLEMS,
            INDIA_ONLY,
            "₹",
            "measures your own engineering work",
            "Management or a principal / specialist track",
            "Read this result as what your own engineering still shows",
        ),
    ),
    Person(
        name="trusted-with-the-ambiguous-and-risky-not-yet-mentoring",
        story=(
            "Handed the unclear and the dangerous, rarely double-checked, but answers "
            "questions rather than mentoring and sets direction only within their problem."
        ),
        answers=SENIOR
        | {
            "raise-others": "answer-questions",
            "direction": "plan-my-problem",
            "title": "engineer",
            "company": "product",
            "years": "5-to-7",
        },
        rung="senior",
        shows=(
            "What moves you up is making other people better",
            "Senior ML Engineer on the ambiguous and the risky",
            "an ML Engineer (mid-level) title",
        ),
        never=(YOU_NOW, "a ML Engineer"),
    ),
    Person(
        name="one-answer-short-of-senior",
        story="Owns problems, handles unclear and risky work, but not yet risky ownership.",
        answers=MID
        | {
            "initiative": "spot-risks",
            "unclear-work": "no-clean-answer",
            "risky-work": "handed-to-me",
            "ai-review": "review-others",
            "depth": "key-calls",
            "title": "engineer",
            "company": "product",
            "years": "2-to-4",
        },
        rung="mid",
        shows=("One answer short of Senior ML Engineer", "How far does your responsibility"),
        high_confidence=False,
    ),
    Person(
        name="data-scientist-switching",
        story="Data scientist at a US retailer moving into ML engineering; owns their models.",
        answers=MID
        | {
            "risky-work": "goes-elsewhere",
            "title": "scientist",
            "company": "in-house",
            "years": "2-to-4",
            "skills": ["python", "statistics", "evaluation"],
        },
        region="US",
        rung="mid",
        # Their one Junior answer's step up would reach only Mid: the move shown first is
        # the step of an answer on their own rung, which counts toward Senior.
        headline=(
            "Your next move toward Senior ML Engineer: Own a problem end to end in a system "
            "where a mistake is expensive",
        ),
        never=(INDIA_ONLY, DATA_SCIENCE_AS_RELATED, INTO_DATA_SCIENCE),
    ),
    Person(
        name="backend-engineer-career-switcher",
        story="Six years of backend work, now a year into ML: does the ML tasks they are given.",
        answers=JUNIOR
        | {
            "ai-review": "check-my-own",
            "title": "developer",
            "company": "product",
            "years": "5-to-7",
            "skills": ["python", "sql", "api", "docker", "backend"],
        },
        rung="junior",
        never=(FRESHERS, "API Development", "Docker and Containerization"),
    ),
    Person(
        name="phd-into-research-engineering",
        story=(
            "Fresh from a PhD in a research lab: works out problems without a clean answer "
            "and makes the key calls on their topic, but nobody hands them risky systems."
        ),
        answers=MID
        | {
            "unclear-work": "no-clean-answer",
            "risky-work": "goes-elsewhere",
            "depth": "key-calls",
            "title": "scientist",
            "company": "research",
            "years": "under-2",
        },
        rung="mid",
        shows=("AI research engineer",),
    ),
    Person(
        name="senior-who-uses-no-ai-tools",
        story="A senior who does not use AI tools and reviews no AI-assisted work.",
        answers=SENIOR | {"ai-review": "no-ai", "title": "senior", "company": "product"},
        rung="senior",
        never=(TRY_AI_TOOL,),
    ),
    Person(
        name="certificate-collector",
        story="Two years in, five certificates, still given tasks rather than problems.",
        answers=JUNIOR
        | {"title": "engineer", "company": "other", "years": "2-to-4", "certificates": "several"},
        region="US",
        rung="junior",
        never=(*CERTIFICATE_STEPS, INDIA_ONLY),
        shows=("do not move your rung",),
    ),
    Person(
        name="senior-with-no-certificates",
        story="Senior with no certificates at all.",
        answers=SENIOR | {"title": "senior", "company": "product", "certificates": "none"},
        rung="senior",
        never=(ENTRY_LEVEL_CERTIFICATES,),
    ),
    Person(
        name="mid-owner-who-measures",
        story="Plans, ships and measures the problems they own; ticks the skills they use.",
        answers=MID
        | {
            "title": "engineer-2",
            "company": "product",
            "years": "2-to-4",
            "skills": ["feature-engineering", "deployment", "mlops", "monitoring"],
        },
        rung="mid",
        never=(RUN_AS_OWN_PROBLEM, "Model Monitoring", "Feature Engineering,"),
    ),
    Person(
        name="levelled-engineer-three",
        story="ML Engineer III at a product company, handed the risky systems.",
        answers=SENIOR | {"title": "engineer-3", "company": "product", "years": "5-to-7"},
        rung="senior",
        never=("Your title and your work",),
    ),
    Person(
        name="in-house-us-mid",
        story="In-house ML team at a US hospital; owns their problems.",
        answers=MID | {"title": "engineer", "company": "in-house", "years": "2-to-4"},
        region="US",
        rung="mid",
        never=(INDIA_ONLY, "₹"),
    ),
    Person(
        name="in-house-india-mid",
        story="In-house ML team at an Indian bank; owns their problems.",
        answers=MID | {"title": "engineer", "company": "in-house", "years": "2-to-4"},
        rung="mid",
        shows=(INDIA_ONLY,),
    ),
    Person(
        name="lead-raising-the-team",
        story="Lead who frames problems for others and whose mentees now own real work.",
        answers=LEAD | {"title": "lead", "company": "product", "years": "8-plus"},
        rung="lead",
        never=(TOP_KEEPS, "The parallel staff track"),
        shows=("The staff track: deep instead of wide",),
    ),
    Person(
        name="seven-years-eight-months",
        story="Seven years and eight months in, mid-level work: the 5-up-to-8 band fits them.",
        answers=MID | {"title": "senior-swe", "company": "services", "years": "5-to-7"},
        rung="mid",
        shows=("5 years, up to 8",),
        never=(SERVICES_TITLE_AHEAD,),
    ),
]


PEOPLE += [
    Person(
        name="ml-architect-whose-role-moved-on",
        story=(
            "ML architect at a product company: handed the unclear and the risky, but reviews "
            "nobody's work, mentors nobody and leaves the hardest problems to another role."
        ),
        answers=SENIOR
        | {
            "raise-others": "not-my-role",
            "catch-mistakes": "not-my-role",
            "depth": "not-my-role",
            "title": "architect",
            "company": "product",
            "years": "8-plus",
        },
        rung="senior",
        shows=("count for no rung", "Not part of my role: nobody newer works with me."),
        # No advice on what their role does not include: it is no evidence of a lower rung.
        never=("Aim your mentoring at ownership", "Move your review earlier and wider"),
    ),
    Person(
        name="phd-never-handed-risky-systems",
        story=(
            "Eight months out of a PhD at a research lab: works out problems with no clean "
            "answer and makes the key calls on their topic; the lab runs no risky systems."
        ),
        answers=MID
        | {
            "unclear-work": "no-clean-answer",
            "risky-work": "not-my-role",
            "depth": "key-calls",
            "title": "scientist",
            "company": "research",
            "years": "under-2",
        },
        rung="mid",
        shows=("My role does not include systems where a mistake is expensive.",),
        never=("Volunteer for one risky piece of work",),
    ),
    Person(
        name="services-senior-handed-the-risky-client-systems",
        story="Senior Associate at a large services firm, really handed the risky client systems.",
        answers=SENIOR | {"title": "senior-associate", "company": "services", "years": "5-to-7"},
        rung="senior",
        shows=("Describes another kind of employer than yours",),
        # Every part of their answers sits at Senior: none is singled out as holding them.
        never=(
            SERVICES_TITLE_AHEAD,
            MNC_PAY,
            "Your answers fit that pattern",
            "(market range for your",
            "What moves you up is",
        ),
    ),
    Person(
        name="fresher-with-no-certificates",
        story="A fresher with no certificates, six weeks in, doing the tasks they are given.",
        answers=JUNIOR | {"title": "fresher", "company": "consulting", "certificates": "none"},
        rung="junior",
        never=("Collecting courses and certificates",),
        shows=("Waiting to be told exactly what to do every time",),
    ),
]

# People a second reviewer took through the quiz (issue 18, second reading).
PEOPLE += [
    Person(
        name="genai-specialist-handed-the-unclear",
        story=(
            "GenAI engineer at a US startup: owns their features, is handed the problems with "
            "no clean answer and catches colleagues' subtly wrong AI-assisted code."
        ),
        answers=MID
        | {
            "unclear-work": "no-clean-answer",
            "ai-review": "review-others",
            "title": "engineer",
            "company": "product",
            "years": "2-to-4",
        },
        region="US",
        rung="mid",
        headline=("You already work out problems without a clean answer",),
        # Not told to ask for what they are handed, nor to learn what they do.
        never=("Ask for the problems without a clean answer", "Reviewing AI-assisted Work"),
    ),
    Person(
        name="new-manager-six-months",
        story=(
            "Six months a manager: mentors the team, and the risky systems and the hardest "
            "problems are now their reports' work; their own answers sit at Mid."
        ),
        answers=MID
        | {
            "risky-work": "i-manage",
            "depth": "i-manage",
            "raise-others": "mentor",
            "title": "engineer",
            "company": "product",
            "years": "5-to-7",
        },
        rung="mid",
        track=LEADERSHIP,
        headline=("Hand the unclear and risky problems you manage to the people on your team",),
        never=(
            "Ask for the problems without a clean answer",
            "Team Mentoring",
            "Volunteer for one risky piece of work",
        ),
    ),
    Person(
        name="returning-after-a-break",
        story=(
            "Back after three years away, given tasks again but picking up what needs doing in "
            "their area without being asked."
        ),
        answers=JUNIOR
        | {
            "initiative": "spot-own-area",
            "title": "engineer",
            "company": "product",
            "years": "5-to-7",
            "certificates": "none",
        },
        rung="junior",
        shows=("You already notice what needs doing before anyone assigns it",),
        never=(
            "Waiting to be told exactly what to do every time",
            "Start noticing what needs doing before anyone assigns it",
        ),
    ),
    Person(
        name="senior-at-the-rules-edge",
        story=(
            "Handed the unclear and the risky, rarely double-checked, reviewing others' AI work "
            "and making the key calls, but still answering questions rather than mentoring, "
            "planning only their own problem and catching mistakes in their own project."
        ),
        answers=SENIOR
        | {
            "initiative": "spot-own-area",
            "raise-others": "answer-questions",
            "direction": "plan-my-problem",
            "catch-mistakes": "own-project",
            "title": "senior",
            "company": "product",
            "years": "5-to-7",
        },
        rung="senior",
        high_confidence=False,
        shows=("a lower answer on any one of",),
        never=("Your placement rests on a single answer: a lower answer on",),
    ),
    Person(
        name="staff-track-senior-who-mentors",
        story="Senior going deep: the expert others turn to, owning cross-team work, mentoring.",
        answers=SENIOR
        | {
            "ownership": "own-across-teams",
            "depth": "go-to-expert",
            "unclear-work": "hardest-open-questions",
            "title": "senior",
            "company": "product",
            "years": "5-to-7",
        },
        rung="senior",
        track=STAFF,
        never=("Aim your mentoring at ownership", "Instead of closing each gap yourself"),
    ),
    Person(
        name="spread-from-junior-to-senior-one-answer-short",
        story=(
            "Answers across the ladder: handed the unclear and the risky, rarely checked and "
            "reviewing systems, but watches others on the hardest problems."
        ),
        answers=MID
        | {
            "depth": "watch-and-learn",
            "initiative": "spot-risks",
            "unclear-work": "no-clean-answer",
            "risky-work": "handed-to-me",
            "ai-review": "review-others",
            "track-record": "rarely-checked",
            "title": "engineer",
            "company": "product",
            "years": "2-to-4",
        },
        rung="mid",
        high_confidence=False,
        headline=("One answer short of Senior ML Engineer",),
    ),
    Person(
        name="bootcamp-junior-with-skills-ticked",
        story="Out of a US bootcamp: writes Python and SQL, has served and monitored models.",
        answers=JUNIOR
        | {
            "title": "junior",
            "company": "product",
            "years": "under-2",
            "skills": ["python", "sql", "api", "docker", "deployment", "mlops", "monitoring"],
        },
        region="US",
        rung="junior",
        # The learning path's steps for what they ticked are left out, and named as left
        # out; the rest stay.
        shows=(
            "Step 3: make training repeatable Build",
            "Left out, as they teach skills you ticked: Step 1: programming and data-access "
            "foundations; Step 4: serve a model; Step 5: production lifecycle basics.",
        ),
        never=(
            "Step 1: programming and data-access foundations Write",
            "Step 4: serve a model Put",
            "Step 5: production lifecycle basics Add",
        ),
    ),
    Person(
        name="freelancer-somewhere-else",
        story="A freelancer outside India and the US who owns each client problem end to end.",
        answers=MID | {"title": "engineer", "company": "other", "years": "2-to-4"},
        region="",
        rung="mid",
        shows=("no ranges for where you are",),
        never=("market ranges for ML Engineer (mid-level) and", "₹", "$"),
    ),
]


# A third reading, of people the first two did not take through the quiz.
STAFF_ANSWERS: dict[str, object] = LEAD | {
    "initiative": "take-on-hardest",
    "ownership": "own-across-teams",
    "unclear-work": "hardest-open-questions",
    "risky-work": "riskiest-across-teams",
    "raise-others": "standards-others-use",
}
PEOPLE += [
    Person(
        name="principal-with-one-answer-below-the-top",
        story=(
            "Principal engineer at a US product company, 14 years: the hardest problems "
            "across teams come to them and teams build on their standards; they catch "
            "colleagues' subtly wrong AI-assisted work but do not yet shape how others check it."
        ),
        answers=STAFF_ANSWERS
        | {"ai-review": "review-others", "title": "staff", "company": "product", "years": "8-plus"},
        region="US",
        rung="lead",
        track=STAFF,
        # At the top nothing holds them below a next rung, but the one answer under the
        # top still gets its step up.
        shows=(
            "Your 1 answer below Lead / Staff ML Engineer, each with its step up",
            "One rung up, this answer reads: I shape how the people I work with check "
            "AI-assisted work.",
            "Share what you catch so others catch it too",
        ),
        never=(TOP_KEEPS, COUPLE_OF_YEARS),
    ),
    Person(
        name="solo-expert-one-answer-short-of-staff",
        story=(
            "A contractor who is the go-to expert for real-time serving and takes the riskiest "
            "calls, but nobody newer works with them, they review nobody and the client sets "
            "direction."
        ),
        answers=SENIOR
        | {
            "initiative": "take-on-hardest",
            "unclear-work": "hardest-open-questions",
            "risky-work": "riskiest-across-teams",
            "depth": "go-to-expert",
            "raise-others": "not-my-role",
            "catch-mistakes": "not-my-role",
            "direction": "not-my-role",
            "ai-review": "check-my-own",
            "title": "specialist",
            "company": "consulting",
            "years": "8-plus",
        },
        region="US",
        rung="senior",
        track=STAFF,
        # The boundary names the staff track's answer, as their next move does.
        headline=(
            "One answer short of Lead / Staff ML Engineer: “I own problems that span teams end "
            "to end",
            "Own the problems that span teams",
        ),
        never=("I frame problems so that other people can own them end to end",),
    ),
    Person(
        name="university-research-scientist",
        story=(
            "Research scientist at a university lab after a PhD and a postdoc: works out open "
            "problems, leads their own projects and mentors students, never runs systems where "
            "a mistake is expensive."
        ),
        answers=MID
        | {
            "unclear-work": "no-clean-answer",
            "risky-work": "not-my-role",
            "track-record": "rarely-checked",
            "raise-others": "mentor",
            "direction": "direct-projects",
            "depth": "key-calls",
            "title": "senior-scientist",
            "company": "research",
            "years": "5-to-7",
        },
        region="US",
        rung="mid",
        headline=("Look for work that includes systems where a mistake is expensive",),
        # They said they own problems end to end and check the fix worked; the research
        # move is said once, by the note for research, not again as a related role.
        never=(
            "up to knowing whether the fix worked. A track",
            "Shipping a solution that runs without checking",
            "ML engineer to AI research engineer",
        ),
        shows=("the related move is to AI research engineer",),
    ),
    Person(
        name="mlops-engineer-at-a-uk-bank",
        story=(
            "MLOps engineer in a UK bank's in-house team, 4 years: owns the deployment pipeline "
            "end to end, monitors the models in production, takes risky changes with review."
        ),
        answers=MID
        | {
            "title": "specialist",
            "company": "in-house",
            "years": "2-to-4",
            "certificates": "one",
            "skills": ["python", "docker", "deployment", "mlops", "monitoring", "cloud"],
        },
        region="GB",
        rung="mid",
        # Already a specialist, already monitoring, already checking the business metric.
        never=(
            "Specialise as an MLOps engineer",
            "Specialise as a deep learning engineer",
            "Deploying a model and never watching it",
            "Not knowing which business metric the model serves",
            INDIA_ONLY,
        ),
    ),
    Person(
        name="computer-vision-engineer-handed-risky-work",
        story=(
            "Computer-vision engineer at a US startup, 3 years: owns problems end to end, is "
            "handed risky work to decide and makes the key calls on the hardest problems."
        ),
        answers=MID
        | {
            "risky-work": "handed-to-me",
            "raise-others": "mentor",
            "depth": "key-calls",
            "title": "specialist",
            "company": "product",
            "years": "2-to-4",
        },
        region="US",
        rung="mid",
        headline=("Own the risky work you are handed end to end, not only the call",),
        never=("You already take on the unclear or the risky", "Specialise as a deep learning"),
    ),
    Person(
        name="hands-on-tech-lead-of-three",
        story=(
            "Tech lead at a Bangalore startup, 7 years: manages three engineers, frames their "
            "problems and raises their level, and still makes the key technical calls."
        ),
        answers=LEAD
        | {
            "risky-work": "handed-to-me",
            "catch-mistakes": "systems-i-review",
            "direction": "direct-projects",
            "depth": "key-calls",
            "title": "lead",
            "company": "product",
            "years": "5-to-7",
            "skills": ["python", "mentoring", "people-leadership"],
        },
        rung="lead",
        # Seven years at a product company is more than "a couple"; the four answers under
        # the top each get their step up.
        never=(COUPLE_OF_YEARS,),
        shows=(
            "Your 4 answers below Lead / Staff ML Engineer, each with its step up",
            # A move on the first screen shows its first sentence; the rest is still said.
            "The staff track: deep instead of wide",
            "Leading people is a different job from engineering, and plenty of excellent "
            "engineers do not want it.",
        ),
    ),
    Person(
        name="consultant-handed-the-risky-client-systems",
        story=(
            "Titled junior at a small consultancy after 3 years, but handed the risky client "
            "systems, mentors the newer consultants and makes the key calls."
        ),
        answers=SENIOR | {"title": "junior", "company": "consulting", "years": "2-to-4"},
        rung="senior",
        # Their work already demands ownership of them.
        never=("roles that will actually demand ownership of you",),
        shows=("your title is behind your work",),
    ),
]


# A fresh reader's people (issue 18, fourth reading).
PEOPLE += [
    Person(
        name="research-lab-expert-with-no-risky-systems",
        story=(
            "Senior research scientist at a London lab, 10 years: other teams bring her their "
            "hardest open questions and she mentors PhDs; the lab runs no systems where a "
            "mistake is expensive."
        ),
        answers=SENIOR
        | {
            "initiative": "take-on-hardest",
            "ownership": "end-to-end",
            "unclear-work": "hardest-open-questions",
            "risky-work": "not-my-role",
            "track-record": "others-bring-theirs",
            "depth": "go-to-expert",
            "title": "senior-scientist",
            "company": "research",
            "years": "8-plus",
            "skills": ["python", "statistics", "llm-architecture", "evaluation", "mentoring"],
        },
        region="GB",
        rung="senior",
        track=STAFF,
        headline=(
            # Her ownership answer's step (to senior) would not reach lead: not her first move.
            "Your next move toward Lead / Staff ML Engineer: Share what you catch",
            "a single answer would change your rung, and 1 of your 10 work answers counts for "
            "no rung.",
        ),
        shows=("this answer stays at mid-level while the rest of your work places you higher",),
        never=("read papers daily", "is what gets you to senior"),
    ),
    Person(
        name="services-delivery-manager-of-twelve",
        story=(
            "Delivery manager of twelve at a large Indian IT services firm, 11 years: runs the "
            "people, not the ML; the client's architect makes the technical calls."
        ),
        answers={
            "initiative": "wait",
            "ownership": "my-part",
            "unclear-work": "i-manage",
            "risky-work": "i-manage",
            "ai-review": "if-it-runs",
            "track-record": "i-manage",
            "raise-others": "answer-questions",
            "catch-mistakes": "i-manage",
            "direction": "not-my-role",
            "depth": "i-manage",
            "title": "manager",
            "company": "services",
            "years": "8-plus",
            "certificates": "one",
            "skills": ["people-leadership", "sql"],
        },
        rung="junior",
        track=LEADERSHIP,
        headline=(
            "by weight, 1 of 5 is at ML Engineer (mid-level)",
            "Low confidence: a single answer would change your rung, and 6 of your 10 work "
            "answers count for no rung.",
        ),
        # His title is ahead because he manages people, not because he does junior work.
        never=(SERVICES_TITLE_AHEAD, "Your answers fit that pattern"),
        shows=("the jumps in pay track the jumps in what you own",),
    ),
    Person(
        name="startup-cto-managing-five",
        story=(
            "CTO and co-founder of a 20-person Berlin startup, 7 years: manages five engineers "
            "and still makes the key technical calls."
        ),
        answers=LEAD
        | {
            "risky-work": "handed-to-me",
            "ai-review": "review-others",
            "track-record": "rarely-checked",
            "depth": "key-calls",
            "title": "head",
            "company": "product",
            "years": "5-to-7",
            "certificates": "none",
            "skills": ["python", "system-design", "cloud", "people-leadership", "mentoring"],
        },
        region="DE",
        rung="lead",
        never=("Many ML engineers branch at this level", COUPLE_OF_YEARS),
    ),
    Person(
        name="new-grad-who-fine-tunes-llms",
        story=(
            "New graduate at a US AI startup, ML Engineer I, 8 months in: strong on LLM "
            "fine-tuning from research, takes tickets from a tech lead and is reviewed closely."
        ),
        answers=JUNIOR
        | {
            "ai-review": "check-my-own",
            "depth": "bounded-piece",
            "title": "engineer-1",
            "company": "product",
            "years": "under-2",
            "certificates": "none",
            "skills": ["python", "llm-finetuning", "llm-architecture", "statistics", "evaluation"],
        },
        region="US",
        rung="junior",
        never=("Hugging Face NLP Course certificate",),
    ),
    Person(
        name="capability-centre-senior-serving-real-time",
        story=(
            "Senior software engineer for ML at a US retailer's Bangalore capability centre, 6 "
            "years: owns real-time ranking, is handed the risky launches and mentors two juniors."
        ),
        answers=SENIOR
        | {
            "initiative": "spot-own-area",
            "direction": "plan-my-problem",
            "title": "senior-swe",
            "company": "other",
            "years": "5-to-7",
            "certificates": "one",
            "skills": ["realtime-serving", "monitoring", "mlops", "deployment", "backend"],
        },
        rung="senior",
        shows=("In India especially",),
        never=("Ship a deep learning model with latency and accuracy checks", "demand ownership"),
    ),
    Person(
        name="titled-lead-after-a-reorg-doing-mid-work",
        story=(
            "Titled lead at a US SaaS company after a reorg, 9 years: owns her own problems with "
            "review on the risky ones, mentors one person, runs MLOps for her team."
        ),
        answers=MID
        | {
            "raise-others": "mentor",
            "direction": "direct-projects",
            "title": "lead",
            "company": "product",
            "years": "8-plus",
            "certificates": "none",
            "skills": ["python", "mlops", "deployment", "docker", "mentoring"],
        },
        region="US",
        rung="mid",
        never=("Specialise as an MLOps engineer", COUPLE_OF_YEARS),
        shows=("the typical ML Engineer (mid-level) has worked 2–5 years",),
    ),
    Person(
        name="insurer-senior-data-scientist-owning-churn",
        story=(
            "Senior data scientist at an Indian insurer, 6 years: owns the churn model end to "
            "end; risky pricing models go to the actuaries; no deployment work."
        ),
        answers=MID
        | {
            "risky-work": "goes-elsewhere",
            "ai-review": "if-it-runs",
            "raise-others": "mentor",
            "title": "senior-scientist",
            "company": "in-house",
            "years": "5-to-7",
            "certificates": "one",
            "skills": ["sql", "statistics", "ml-algorithms", "feature-engineering", "evaluation"],
        },
        rung="mid",
        shows=("If you are coming from data science", "shift your focus to production"),
        never=(INTO_DATA_SCIENCE,),
    ),
]


@pytest.fixture
def version(shipped_version: QuizVersion) -> QuizVersion:
    return shipped_version


def page_text(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200
    body = unescape(response.content.decode())
    article = body[body.index("<article") : body.index("</article>")]
    return " ".join(re.sub(r"<[^>]+>", " ", article).split())


def test_there_are_at_least_twenty_people_of_every_kind():
    assert len(PEOPLE) >= 20
    assert {p.track for p in PEOPLE} == {"", STAFF, LEADERSHIP}
    assert {p.rung for p in PEOPLE} == {"junior", "mid", "senior", "lead"}


@pytest.mark.django_db
@pytest.mark.parametrize("person", PEOPLE, ids=lambda p: p.name)
def test_each_person_is_placed_honestly_and_never_contradicted(version, person):
    partner = Partner.objects.create(name="Acme", allowed_origins="https://acme.example")
    web = place_and_record(version, person.answers, region=person.region, channel="web")
    embedded = place_and_record(
        version,
        person.answers,
        region=person.region,
        channel=Attempt.Channel.EMBED,
        partner_id=partner.pk,
    )
    result = web.result
    assert result["rung"]["slug"] == person.rung, person.story
    assert result["track"] == person.track, person.story
    if person.high_confidence is not None:
        assert (result["confidence_label"] == "high") == person.high_confidence
    ticked = _ticked_skill_names(version, person.answers)
    for listed in (*result["skills_to_build"], *result["next_rung_skills"]):
        assert listed["name"] not in ticked, person.story
    for url in (web.get_absolute_url(), f"/embed/results/{embedded.result_id}/"):
        text = page_text(url)
        card = headline_text(url)
        for statement in person.headline:
            assert statement in card, f"{person.name}'s headline should read {statement!r}"
        for statement in person.shows:
            assert statement in text, f"{person.name} should read {statement!r} on {url}"
        for statement in person.never:
            assert statement not in text, f"{person.name} should not read {statement!r} on {url}"
        if person.rung != "junior":  # advice about a jump already made
            assert JUNIOR_TO_MID not in text, f"{person.name} is past junior: {url}"
        _counts_agree(text)
        _each_sentence_once(url)
        _profile_agrees_with_the_boundary(version, result, text)


def _profile_agrees_with_the_boundary(version, result, text: str) -> None:
    """One answer short of the next rung, what the profile says moves you up is the part of
    the profile one of those answers is in."""
    limit = re.search(r"What moves you up is (.+?): your answers there", text)
    up = (result.get("boundary") or {}).get("up") or []
    if not (limit and up):
        return
    dimensions = {q["key"]: q.get("dimension", "") for q in version.snapshot["questions"]}
    assert limit.group(1) in {dimensions[m["question"]] for m in up}, text[:600]


def _each_sentence_once(url: str) -> None:
    """No sentence of advice, notes or explanation appears twice on one result page."""
    assert said_twice(Client().get(url).content.decode()) == [], url


def headline_text(url: str) -> str:
    body = unescape(Client().get(url).content.decode())
    start = body.index('<header class="result-head"')
    card = body[start : body.index("</header>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", card).split())


def _ticked_skill_names(version: QuizVersion, answers: dict[str, object]) -> set[str]:
    [skills] = [q for q in version.snapshot["questions"] if q["key"] == "skills"]
    ticked = answers.get("skills") or []
    assert isinstance(ticked, list)
    return {o["skill"] for o in skills["options"] if o["key"] in ticked}


COUNT = re.compile(r"(\d+) of your (\d+) work answers")
LISTED = re.compile(r"Your (\d+) answers? (?:below|at|that count)")


def _counts_agree(text: str) -> None:
    """The headline's count of answers is the sum of the answers listed below it."""
    headline = COUNT.search(text)
    assert headline, text[:300]
    counted = int(headline.group(2))
    listed = [int(n) for n in LISTED.findall(text)]
    uncounted = re.search(r"Your (\d+) answers? that count", text)
    not_counted = int(uncounted.group(1)) if uncounted else 0
    assert sum(listed) - not_counted == counted, text
    if not_counted:  # the headline says it counts only answers naming a rung; the rest listed
        assert "work answers that name a rung" in text, text
    assert not re.search(r"\b1 of your \d+ work answers(?: that name a rung)? are\b", text), text
    assert not re.search(r"by weight, 1 of \d+ are\b", text), text
    assert not re.search(r"\b1 of your \d+ work answers count\b|the other 1 count\b", text), text
