"""The machinery every layout of question pages shares: which pages apply and in what order, the rules that
span pages, and how far a draft has got.

A *layout* is one arrangement of an edition's questions (its step list, rules, tasks and stored facts), and
is data in wizard.py. Every draft and submitted version stores the layout it was answered in, so a record
is always read, checked and printed by the pages it was made with, even after the questions are reshaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .guidance import QuestionText, edition

if TYPE_CHECKING:
    from .forms import StepForm

Answers = dict[str, dict]
# Pages saved without being finished ("Save and come back later"), as typed: step -> form data.
Unfinished = Mapping[str, Any]
Condition = Callable[[Answers], bool]


def answer(answers: Answers, step: str, name: str) -> object:
    return (answers.get(step) or {}).get(name)


def always(answers: Answers) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    key: str
    form_class: type[StepForm]
    condition: Condition = always


@dataclass(frozen=True)
class Problem:
    step: str
    message: str
    field: str = ""


@dataclass(frozen=True)
class Rule:
    """A rule that spans pages. It is checked on the page where the answer it judges is given (`step`), when
    that page is saved; on check answers, where a later change can make that answer wrong; and at submit."""

    step: str
    field: str
    check: Callable[[Answers], str | None]  # the problem, or None when the rule holds


@dataclass(frozen=True)
class Task:
    """A row of the task list: one or more pages answered together."""

    key: str
    title: str
    group: str
    steps: tuple[str, ...]
    # Tasks to complete before this one can start (its pages also need their conditions to hold).
    after: tuple[str, ...] = ()
    # A title that depends on earlier answers, e.g. "Sharing the information" once the decision is made.
    title_for: Callable[[Answers], str] | None = None


class TaskStatus(StrEnum):
    COMPLETED = "completed"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    CANNOT_START = "cannot_start"


STATUS_LABELS = {
    TaskStatus.COMPLETED: "Completed",
    TaskStatus.IN_PROGRESS: "In progress",
    TaskStatus.NOT_STARTED: "Not yet started",
    TaskStatus.CANNOT_START: "Cannot start yet",
}


@dataclass(frozen=True)
class TaskState:
    number: int
    key: str
    title: str
    group: str
    status: TaskStatus
    step: str | None  # the page to open: the first with a problem, or the first that applies

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Flow:
    edition: str
    layout: int
    steps: tuple[Step, ...]
    facts: Callable[[Answers], dict[str, object]]
    rules: tuple[Rule, ...] = ()
    tasks: tuple[Task, ...] = ()
    # Where well-known answers live in this layout, e.g. "method" -> ("sending", "method").
    locations: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # Turns the previous layout's answers into this one's (used when an old record is amended).
    upgrade: Callable[[Answers], Answers] | None = None
    # What an earlier answer means for a page, said on that page: step -> note (or None).
    notes: Mapping[str, Callable[[Answers], str | None]] = field(default_factory=dict)
    # The date the family is to be told by, if the answers say they will be told later (ISO date, or "").
    follow_up: Callable[[Answers], str] | None = None

    # Pages ---------------------------------------------------------------------------------------------

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

    def question(self, key: str) -> QuestionText:
        return edition(self.edition).questions[self.layout][key]

    def visible_steps(self, answers: Answers) -> list[Step]:
        return [s for s in self.steps if s.condition(answers)]

    def next_step(self, answers: Answers, after: str) -> Step | None:
        """The next applicable step after `after`, judged on the answers as they are now."""
        keys = [s.key for s in self.steps]
        return next((s for s in self.steps[keys.index(after) + 1 :] if s.condition(answers)), None)

    def previous_step(self, answers: Answers, before: str) -> Step | None:
        keys = [s.key for s in self.steps]
        return next((s for s in reversed(self.steps[: keys.index(before)]) if s.condition(answers)), None)

    def first_unanswered(self, answers: Answers, unfinished: Unfinished | None = None) -> Step | None:
        unfinished = unfinished or {}
        return next((s for s in self.visible_steps(answers) if s.key not in answers or s.key in unfinished), None)

    def relevant_answers(self, answers: Answers) -> Answers:
        """Only the answers of steps that apply: a branch abandoned by a later change is not submitted."""
        return {s.key: answers[s.key] for s in self.visible_steps(answers) if s.key in answers}

    def notes_for(self, key: str, answers: Answers) -> list[str]:
        note = self.notes.get(key)
        text = note(answers) if note else None
        return [text] if text else []

    def find(self, answers: Answers, name: str) -> object:
        """A well-known answer wherever this layout keeps it (None if it has no such answer)."""
        where = self.locations.get(name)
        return answer(answers, *where) if where else None

    # Checking ------------------------------------------------------------------------------------------

    def page_problems(self, key: str, answers: Answers) -> list[Problem]:
        """The cross-page rules judged on page `key`, given the answers with that page's new answer in them."""
        problems = []
        for rule in self.rules:
            if rule.step == key:
                message = rule.check(answers)
                if message:
                    problems.append(Problem(key, message, rule.field))
        return problems

    def validate(self, answers: Answers, unfinished: Unfinished | None = None) -> list[Problem]:
        """Every applicable page complete and valid on its own, then the rules that span pages, page by page."""
        unfinished = unfinished or {}
        problems: list[Problem] = []
        for step in self.visible_steps(answers):
            title = self.question(step.key).title
            stored = answers.get(step.key)
            if step.key in unfinished:
                problems.append(Problem(step.key, f"Finish '{title}': it was saved before it was finished"))
                continue
            if stored is None:
                problems.append(Problem(step.key, f"Answer '{title}'"))
                continue
            form = step.form_class(data=step.form_class.data_from_answers(stored))
            if not form.is_valid():
                for name, errors in form.errors.items():
                    problems.extend(Problem(step.key, str(e), name if name != "__all__" else "") for e in errors)
                continue
            problems.extend(self.page_problems(step.key, answers))
        return problems

    # Progress ------------------------------------------------------------------------------------------

    @property
    def task_total(self) -> int:
        """Every task, plus checking answers and submitting: the same whatever the answers."""
        return len(self.tasks) + 1

    def task_number(self, key: str) -> tuple[int, Task] | None:
        for number, task in enumerate(self.tasks, start=1):
            if key in task.steps:
                return number, task
        return None

    def task_title(self, task: Task, answers: Answers) -> str:
        return task.title_for(answers) if task.title_for else task.title

    def task_states(
        self, answers: Answers, unfinished: Unfinished | None = None, problems: list[Problem] | None = None
    ) -> list[TaskState]:
        unfinished = unfinished or {}
        if problems is None:
            problems = self.validate(answers, unfinished)
        troubled = {p.step for p in problems}
        visible = {s.key for s in self.visible_steps(answers)}
        completed: set[str] = set()
        states = []
        for number, task in enumerate(self.tasks, start=1):
            keys = [k for k in task.steps if k in visible]
            started = any(k in answers or k in unfinished for k in keys)
            blocked = any(t not in completed for t in task.after)
            if not keys or (blocked and not started):
                status = TaskStatus.CANNOT_START
            elif all(k in answers and k not in troubled for k in keys):
                status = TaskStatus.COMPLETED
                completed.add(task.key)
            elif started:
                status = TaskStatus.IN_PROGRESS
            else:
                status = TaskStatus.NOT_STARTED
            target = next((k for k in keys if k in troubled), keys[0] if keys else None)
            states.append(TaskState(number, task.key, self.task_title(task, answers), task.group, status, target))
        return states
