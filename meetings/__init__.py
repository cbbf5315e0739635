"""联席会议与会商: the meetings app (Django app label ``meetings``), one subpackage per feature.

- ``meetings.meetings``: joint meetings: invitations and replies, agenda and topic proposals
  (``agenda.py``), minutes (``minutes.py``), reminders and the alert scan (``reminders.py``),
  iCalendar files, the private feed and its token (``ical.py``); ``services.py`` is the meeting's
  life (schedule, change, hold, close, cancel, reply).
- ``meetings.decisions``: decisions (议定事项) of the meetings, their progress and due/overdue
  notices (``reminders.py``); ``Decision.objects.overdue()`` is the one "overdue"
  (``fuyuan.lib.deadlines.OverdueQuerySet``, the rule the cases use too).
- ``meetings.consultations``: consultations (会商) logged by units and courts.

Each feature has the same modules: ``models``, ``services`` (every write, and
``allowed_actions(obj, user)``: the one answer to "what may this user do now"), ``selectors``
(``visible_to(user)``: the one scope), ``views``, ``api``, ``forms``, ``filters`` (FilterSets of the
page and API lists), ``admin``, ``urls``. The app's top-level ``models``, ``admin``, ``tasks`` and
``urls`` only import the features' modules; ``home.py`` is the home page's panel (``unit_home``).
Shared helpers come from ``fuyuan.lib`` (``listing.list_page``, ``forms.BootstrapFormMixin``/``submit``/
``field``, ``deadlines``, ``locking``, ``xlsx``) and ``members``; ``meetings`` imports nothing from ``cases``
or ``stats``.
"""
