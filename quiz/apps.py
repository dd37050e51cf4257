from django.apps import AppConfig


class QuizConfig(AppConfig):
    name = "quiz"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        from quiz import cors

        cors.connect()
