from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_delete


def _quiz_changed(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    # The ladder page lists its published quizzes: publishing, unpublishing or renaming
    # one changes the page (see ladder.freshness).
    from ladder.freshness import touch

    touch(instance.ladder_id)


def _forget_live_versions(sender: type[Any], **kwargs: Any) -> None:
    # Saving a quiz can change its slug or its live version (quiz.versions keeps both).
    from quiz.versions import forget_live_versions

    forget_live_versions()


def _attempt_deleted(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    # Before the row goes (pre_delete), in the deleting transaction: its counts go too.
    from quiz import tallies

    tallies.forgotten(instance)


class QuizConfig(AppConfig):
    name = "quiz"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        quiz = self.get_model("Quiz")
        post_save.connect(_quiz_changed, sender=quiz, dispatch_uid="fresh-quiz-saved")
        post_delete.connect(_quiz_changed, sender=quiz, dispatch_uid="fresh-quiz-deleted")
        version = self.get_model("QuizVersion")
        post_save.connect(_forget_live_versions, sender=quiz, dispatch_uid="live-quiz-saved")
        post_delete.connect(_forget_live_versions, sender=quiz, dispatch_uid="live-quiz-deleted")
        post_delete.connect(
            _forget_live_versions, sender=version, dispatch_uid="live-version-deleted"
        )
        attempt = self.get_model("Attempt")
        pre_delete.connect(_attempt_deleted, sender=attempt, dispatch_uid="tally-attempt-deleted")
