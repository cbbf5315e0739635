"""Judicial recommendations (司法建议) and case referrals (案件移送): one Django app (label ``cases``), two features.

DESIGN — one layout, one idiom per concern:

- ``cases/recommendations/`` and ``cases/referrals/`` hold the same modules: ``models`` (``objects``
  is ``fuyuan.lib.deadlines.OverdueQuerySet``: ``overdue(today=None)``, the one rule of "overdue",
  from the model's ``OVERDUE_STATUSES`` and ``DUE_FIELD``), ``services`` (every write and
  transition, and ``allowed_actions(obj, user)``, the only place deciding what a user may do now),
  ``selectors`` (``visible_to(user)``, the one scope every page, export and API view starts from),
  ``filters`` (the django-filter FilterSet of the list, its export and the API), ``views``, ``api``,
  ``forms``, ``admin``, ``tasks``, ``urls`` and ``home`` (the home-page panel). A module that would
  pass ~600 lines becomes more modules inside its feature: ``alerts`` (the alert ladder and its scan,
  one ``members.selectors.ContactDirectory`` per scan), ``referrals/intake`` (the XLSX import),
  ``referrals/privacy`` (masking personal data).
- ``cases/models.py``, ``admin.py``, ``tasks.py`` and ``urls.py`` only import the two features.
- Shared helpers come from ``fuyuan.lib`` (``listing.list_page``, ``pagination.DeepPagination``,
  ``forms.BootstrapFormMixin``/``submit``/``apply_service_errors``/``field``/``FastSelect``, ``deadlines.light``,
  ``locking.lock``/``copy_back``, ``xlsx``) and ``members``; ``cases`` imports nothing from ``stats``
  or ``meetings`` (the referral figures page lives in ``stats``).
"""
