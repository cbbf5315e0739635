"""Locust users of the three working roles; run by ``python -m load`` (``make load``), not by hand.

Pages are read with a session cookie (made by ``load/prepare.py``); writes go through the REST API
with the user's token, as a unit's or a court's own system would. The users are ``FastHttpUser``s
(geventhttpclient): locust shares the two cores with the site, and its own cost per request is a
fraction of the ``requests``-based client's. Request names are page names, so
the summary has one line per page whatever the ids and filters.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from datetime import date, timedelta
from typing import Any

from locust import FastHttpUser, between, task

CONFIG: dict[str, Any] = json.loads(open(os.environ["LOAD_CONFIG"], encoding="utf-8").read())
_counters = {role: itertools.count() for role in ("office", "liaison", "clerk")}
_serial = itertools.count(1)

# A referral's conclusion, by kind (API.md).
OUTCOMES = {"mediation": "resolved", "criminal_transfer": "case_opened", "enforcement_inquiry": "found"}


class Role(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 5)

    def on_start(self) -> None:
        pool = CONFIG["people"][self.role]
        self.person = pool[next(_counters[self.role]) % len(pool)]
        # The session cookie sent with every page (FastHttpUser keeps no cookie jar of its own to set).
        self.page_headers = {"Cookie": f"sessionid={self.person['session']}"}
        self.api_headers = {"Authorization": f"Token {self.person['token']}", "Accept": "application/json"}

    def page(self, url: str, name: str) -> None:
        # Redirects not followed: a page answered with the sign-in page (a session lost) is an error, not a fast page.
        with self.client.get(
            url, name=name, headers=self.page_headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    def api_get(self, url: str, name: str) -> list[dict[str, Any]]:
        with self.client.get(url, name=name, headers=self.api_headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return []
            return response.json().get("results", [])

    def api_post(self, url: str, name: str, body: dict[str, Any] | None = None) -> dict[str, Any] | None:
        with self.client.post(
            url, name=name, json=body or {}, headers=self.api_headers, catch_response=True
        ) as response:
            if response.status_code == 409:
                # Another user of the same unit took this step first: the site refused it correctly.
                response.success()
                return None
            if response.status_code not in (200, 201):
                text = response.text or ""  # None when the connection failed (FastHttpUser): status 0
                response.failure(f"{response.status_code} {text[:200]}")
                return None
            return response.json()


class OfficeStaff(Role):
    """办公室: the dashboard and every list."""

    role = "office"
    weight = 3

    @task(3)
    def dashboard(self) -> None:
        if CONFIG["dashboard"]:
            self.page(CONFIG["dashboard"], "dashboard")
        else:
            self.page("/", "home")

    @task(2)
    def recommendations(self) -> None:
        self.page("/recommendations/", "recommendation-list")

    @task(1)
    def recommendations_open(self) -> None:
        self.page("/recommendations/?status=issued&page=2", "recommendation-list")

    @task(2)
    def referrals(self) -> None:
        self.page("/referrals/all/", "referral-list")

    @task(1)
    def meetings(self) -> None:
        self.page("/meetings/", "meeting-list")

    @task(1)
    def decisions(self) -> None:
        self.page("/decisions/", "decision-list")

    @task(1)
    def consultations(self) -> None:
        self.page("/consultations/", "consultation-list")


class Liaison(Role):
    """联络员: their inbox, replying to recommendations, working referrals, logging consultations."""

    role = "liaison"
    weight = 5

    @task(2)
    def home(self) -> None:
        self.page("/", "home")

    @task(2)
    def referral_inbox(self) -> None:
        self.page("/referrals/inbox/", "referral-inbox")

    @task(1)
    def recommendation_list(self) -> None:
        self.page("/recommendations/", "recommendation-list")

    @task(1)
    def consultation_list(self) -> None:
        self.page("/consultations/", "consultation-list")

    @task(2)
    def answer_recommendation(self) -> None:
        waiting = self.api_get("/api/v1/recommendations/?status=acknowledged", "api recommendations (to answer)")
        if waiting:
            rec = random.choice(waiting)
            self.page(f"/recommendations/{rec['id']}/", "recommendation-detail")
            self.api_post(
                f"/api/v1/recommendations/{rec['id']}/reply/",
                "api recommendation reply",
                {
                    "outcome": "adopted",
                    "content": "已研究采纳。",
                    "measures": "已制定整改措施。",
                    "rectification_due": (date.today() + timedelta(days=90)).isoformat(),  # required when adopting
                },
            )
            return
        issued = self.api_get("/api/v1/recommendations/?status=issued", "api recommendations (to answer)")
        if issued:
            rec = random.choice(issued)
            self.api_post(f"/api/v1/recommendations/{rec['id']}/acknowledge/", "api recommendation acknowledge")

    @task(2)
    def work_referral(self) -> None:
        step = random.choice(("sent", "acknowledged", "accepted"))
        found = self.api_get(f"/api/v1/referrals/?box=inbox&status={step}", "api referrals inbox")
        if not found:
            return
        ref = random.choice(found)
        self.page(f"/referrals/{ref['id']}/", "referral-detail")
        base = f"/api/v1/referrals/{ref['id']}"
        if step == "sent":
            self.api_post(f"{base}/acknowledge/", "api referral acknowledge")
        elif step == "acknowledged":
            self.api_post(f"{base}/accept/", "api referral accept")
        else:
            outcome = OUTCOMES.get(ref["kind"], "done")
            self.api_post(f"{base}/conclude/", "api referral conclude", {"outcome": outcome, "note": "办结。"})

    @task(1)
    def log_consultation(self) -> None:
        units = CONFIG["liaison_units"]
        other = random.choice([u for u in units if u != self.person["unit"]] or units)
        self.api_post(
            "/api/v1/consultations/",
            "api consultation create",
            {
                "topic_kind": "routine",
                "held_on": (date.today() - timedelta(days=random.randint(0, 30))).isoformat(),
                "units": [self.person["unit"], other],
                "level": "province",
                "topic": f"压力测试会商{next(_serial)}",
                "tasks": [random.choice(CONFIG["tasks"])],
                "outcome": "形成一致意见。",
            },
        )


class CourtClerk(Role):
    """法院: issuing recommendations and sending referrals to the liaisons' units."""

    role = "clerk"
    weight = 2

    @task(2)
    def recommendation_list(self) -> None:
        self.page("/recommendations/", "recommendation-list")

    @task(1)
    def referral_sent(self) -> None:
        self.page("/referrals/sent/", "referral-sent")

    @task(2)
    def issue_recommendation(self) -> None:
        n = next(_serial)
        draft = self.api_post(
            "/api/v1/recommendations/",
            "api recommendation create",
            {
                "number": f"压建〔2026〕{os.getpid()}-{n}号",
                "addressee": random.choice(CONFIG["liaison_units"]),
                "case_number": f"(2026)压测{os.getpid()}-{n}号",
                "title": f"关于规范行政执法的司法建议(压测{n})",
                "problem": "审理中发现的问题。",
                "recommendation": "建议加强规范。",
                "tasks": [random.choice(CONFIG["tasks"])],
            },
        )
        if draft:
            self.api_post(f"/api/v1/recommendations/{draft['id']}/issue/", "api recommendation issue")

    @task(1)
    def send_referral(self) -> None:
        n = next(_serial)
        draft = self.api_post(
            "/api/v1/referrals/",
            "api referral create",
            {
                "kind": "notice",
                "receiver": random.choice(CONFIG["liaison_units"]),
                "case_number": f"(2026)压测移{os.getpid()}-{n}号",
                "subject": "线索通报",
                "summary": "压力测试移送。",
                "tasks": [random.choice(CONFIG["tasks"])],
            },
        )
        if draft:
            self.api_post(f"/api/v1/referrals/{draft['id']}/send/", "api referral send")
