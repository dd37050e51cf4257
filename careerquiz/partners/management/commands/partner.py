"""`manage.py partner`: create, list, show, enable and disable partners, for automation.

    manage.py partner add "Acme" --origin https://acme.example [--origin ...] [--region IN]
    manage.py partner list [--json]
    manage.py partner show KEY
    manage.py partner disable KEY | enable KEY
    manage.py partner webhook add KEY URL [--event placement.completed] [--description TEXT]
    manage.py partner webhook list KEY
    manage.py partner webhook test ID | enable ID
    manage.py partner webhook requeue [--all]

`add` and `show` print the public key and the snippets to paste. Snippets use
SITE_URL (DJANGO_SITE_URL), or --base-url. `webhook add` prints the endpoint's
signing secret, the only time it is shown; `webhook requeue` enqueues deliveries
whose task was lost (e.g. a flushed queue).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from careerquiz.partners import webhooks
from careerquiz.partners.embed import iframe_snippet, script_snippet
from careerquiz.partners.models import PLACEMENT_COMPLETED, Partner, WebhookEndpoint
from quiz.models import Quiz

MSG_UNKNOWN_KEY = "No partner has the key {key!r}."
MSG_INVALID = "The partner is not valid, nothing was saved:\n{errors}"
MSG_ENDPOINT_INVALID = "The webhook endpoint is not valid, nothing was saved:\n{errors}"
MSG_UNKNOWN_ENDPOINT = "No webhook endpoint has the id {id}."
MSG_SECRET = "Signing secret (shown only this once; give it to the partner now):\n  {secret}"
MSG_TEST_SENT = "A signed test event is queued for {url} (the worker sends it)."
MSG_REQUEUED = "{count} pending deliveries enqueued again."
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
        add.add_argument(
            "--pass-param",
            action="append",
            default=[],
            help="A parameter of the partner page's address kept with each visit, e.g. "
            "utm_source (repeatable).",
        )
        add.add_argument("--disabled", action="store_true", help="Create it switched off.")
        listing = actions.add_parser("list", help="Every partner, one per line.")
        listing.add_argument("--json", action="store_true", help="As JSON, for scripts.")
        show = actions.add_parser("show", help="A partner's key, origins and snippets.")
        show.add_argument("key")
        for name in ("enable", "disable"):
            actions.add_parser(name, help=f"{name.capitalize()} a partner's key.").add_argument(
                "key"
            )
        self.add_webhook_arguments(actions)
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
        elif action == "webhook":
            self.webhook(options)
        else:
            partner = self.partner(options["key"])
            partner.is_active = action == "enable"
            partner.save(update_fields=["is_active"])
            self.stdout.write(f"{partner.name} ({partner.public_key}) is now {action}d.")

    def add_webhook_arguments(self, actions: Any) -> None:
        hooks = actions.add_parser("webhook", help="A partner's webhook endpoints.")
        verbs = hooks.add_subparsers(dest="webhook_action", required=True)
        add = verbs.add_parser("add", help="Register an endpoint; prints its secret once.")
        add.add_argument("key", help="The partner's public key.")
        add.add_argument("url")
        add.add_argument(
            "--event", action="append", help=f"An event type (default {PLACEMENT_COMPLETED})."
        )
        add.add_argument("--description", default="")
        verbs.add_parser("list", help="A partner's endpoints.").add_argument("key")
        verbs.add_parser("test", help="Send a signed test event.").add_argument("id", type=int)
        verbs.add_parser("enable", help="Switch on; send what waited.").add_argument("id", type=int)
        requeue = verbs.add_parser("requeue", help="Enqueue deliveries whose task was lost.")
        requeue.add_argument(
            "--all",
            action="store_true",
            help="Every pending delivery, now (e.g. after changing TASKS_BACKEND).",
        )

    def webhook(self, options: dict[str, Any]) -> None:
        verb = options["webhook_action"]
        if verb == "add":
            endpoint = WebhookEndpoint(
                partner=self.partner(options["key"]),
                url=options["url"],
                events=options["event"] or [PLACEMENT_COMPLETED],
                description=options["description"],
            )
            self.validate(endpoint, MSG_ENDPOINT_INVALID)
            endpoint.save()
            self.stdout.write(f"Webhook endpoint {endpoint.pk}: {endpoint.url}")
            self.stdout.write(MSG_SECRET.format(secret=endpoint.secret))
        elif verb == "list":
            for endpoint in self.partner(options["key"]).webhooks.order_by("pk"):
                state = "active  " if endpoint.is_active else "disabled"
                note = f"  ({endpoint.disabled_reason})" if endpoint.disabled_reason else ""
                events = ",".join(endpoint.events)
                self.stdout.write(f"{endpoint.pk}  {state}  {endpoint.url}  {events}{note}")
        elif verb == "test":
            endpoint = self.endpoint(options["id"])
            try:
                webhooks.send_test_event(endpoint)
            except LookupError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(MSG_TEST_SENT.format(url=endpoint.url))
        elif verb == "enable":
            endpoint = self.endpoint(options["id"])
            waiting = webhooks.resume(endpoint)
            self.stdout.write(f"{endpoint.url} is on; {waiting} waiting deliveries queued.")
        else:
            count = webhooks.requeue_due(every_pending=options["all"])
            self.stdout.write(MSG_REQUEUED.format(count=count))

    def endpoint(self, pk: int) -> WebhookEndpoint:
        endpoint = WebhookEndpoint.objects.filter(pk=pk).select_related("partner").first()
        if endpoint is None:
            raise CommandError(MSG_UNKNOWN_ENDPOINT.format(id=pk))
        return endpoint

    def validate(self, obj: Partner | WebhookEndpoint, message: str = MSG_INVALID) -> None:
        try:
            obj.full_clean()
        except ValidationError as error:
            lines = [f"  {field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()]
            raise CommandError(message.format(errors="\n".join(lines))) from error

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
            pass_params=" ".join(options["pass_param"]),
        )
        if options["accent"]:
            partner.accent_color = options["accent"]
        self.validate(partner)
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
