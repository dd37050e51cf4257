"""`manage.py partner`: create, list, show, enable and disable partners, for automation.

    manage.py partner add "Acme" --origin https://acme.example [--origin ...] [--region IN]
    manage.py partner list [--json]
    manage.py partner show KEY
    manage.py partner disable KEY | enable KEY

`add` and `show` print the public key and the snippets to paste. Snippets use
SITE_URL (DJANGO_SITE_URL), or --base-url.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from careerquiz.partners.embed import iframe_snippet, script_snippet
from careerquiz.partners.models import Partner
from quiz.models import Quiz

MSG_UNKNOWN_KEY = "No partner has the key {key!r}."
MSG_INVALID = "The partner is not valid, nothing was saved:\n{errors}"
MSG_NO_QUIZ = "No quiz is published yet; publish one, then `partner show {key}` for snippets."


class Command(BaseCommand):
    help = "Create, list, show, enable or disable partners that embed the quiz."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="Create a partner; prints its key and snippets.")
        add.add_argument("name")
        add.add_argument(
            "--origin", action="append", default=[], help="An allowed origin (repeatable)."
        )
        add.add_argument("--region", default="", help="Region preselected in the quiz, e.g. IN.")
        add.add_argument("--accent", help="Accent colour, e.g. #0b5fff.")
        add.add_argument("--disabled", action="store_true", help="Create it switched off.")
        listing = actions.add_parser("list", help="Every partner, one per line.")
        listing.add_argument("--json", action="store_true", help="As JSON, for scripts.")
        show = actions.add_parser("show", help="A partner's key, origins and snippets.")
        show.add_argument("key")
        for name in ("enable", "disable"):
            actions.add_parser(name, help=f"{name.capitalize()} a partner's key.").add_argument(
                "key"
            )
        for sub in (add, show):
            sub.add_argument("--base-url", help="This site's address (default: SITE_URL).")
            sub.add_argument("--quiz", help="Snippets for this quiz slug (default: all published).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self.add(options)
        elif action == "list":
            self.list(json_output=options["json"])
        elif action == "show":
            self.show(self.partner(options["key"]), options)
        else:
            partner = self.partner(options["key"])
            partner.is_active = action == "enable"
            partner.save(update_fields=["is_active"])
            self.stdout.write(f"{partner.name} ({partner.public_key}) is now {action}d.")

    def partner(self, key: str) -> Partner:
        partner = Partner.objects.filter(public_key=key).first()
        if partner is None:
            raise CommandError(MSG_UNKNOWN_KEY.format(key=key))
        return partner

    def add(self, options: dict[str, Any]) -> None:
        partner = Partner(
            name=options["name"],
            allowed_origins="\n".join(options["origin"]),
            default_region=options["region"].upper(),
            is_active=not options["disabled"],
        )
        if options["accent"]:
            partner.accent_color = options["accent"]
        try:
            partner.full_clean()
        except ValidationError as error:
            lines = [f"  {field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()]
            raise CommandError(MSG_INVALID.format(errors="\n".join(lines))) from error
        partner.save()
        self.show(partner, options)

    def show(self, partner: Partner, options: dict[str, Any]) -> None:
        state = "active" if partner.is_active else "disabled"
        self.stdout.write(f"{partner.name} ({state})")
        self.stdout.write(f"  public key:      {partner.public_key}")
        self.stdout.write(f"  allowed origins: {', '.join(partner.origins) or '(none yet)'}")
        base = (options.get("base_url") or settings.SITE_URL).rstrip("/")
        quizzes = Quiz.objects.published().order_by("title")
        if options.get("quiz"):
            quizzes = quizzes.filter(slug=options["quiz"])
        if not quizzes:
            self.stdout.write(MSG_NO_QUIZ.format(key=partner.public_key))
        for quiz in quizzes:
            self.stdout.write(f"\n{quiz.title}, one script tag:")
            self.stdout.write("  " + script_snippet(partner, base_url=base, quiz=quiz.slug))
            self.stdout.write("or a plain iframe:")
            snippet = iframe_snippet(partner, base_url=base, quiz=quiz.slug, title=quiz.title)
            self.stdout.write("  " + snippet)

    def list(self, *, json_output: bool) -> None:
        partners = Partner.objects.order_by("name")
        if json_output:
            rows = [
                {
                    "name": p.name,
                    "public_key": p.public_key,
                    "is_active": p.is_active,
                    "allowed_origins": p.origins,
                    "default_region": p.default_region,
                }
                for p in partners
            ]
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for p in partners:
            state = "active  " if p.is_active else "disabled"
            self.stdout.write(f"{p.public_key}  {state}  {p.name}  {' '.join(p.origins)}")
