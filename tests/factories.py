"""factory-boy factories shared by every test module."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from members.models import Liaison, MemberUnit, Region, User, WorkTask
from members.roles import Role


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试市{n}")
    code = factory.Sequence(lambda n: f"99{n:04d}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberUnit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    short_name = factory.Sequence(lambda n: f"测{n}")
    kind = MemberUnit.Kind.GOVERNMENT
    level = MemberUnit.Level.PROVINCE
    is_member_unit = True


class CourtFactory(UnitFactory):
    name = factory.Sequence(lambda n: f"测试中级人民法院{n}")
    kind = MemberUnit.Kind.COURT
    court_level = MemberUnit.CourtLevel.INTERMEDIATE
    level = MemberUnit.Level.CITY
    is_member_unit = False


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"测试用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or not extracted:
            return
        self.groups.set(Group.objects.filter(name__in=list(extracted)))
        if Role.ADMIN in extracted:
            self.is_staff = True
            self.save(update_fields=["is_staff"])
        if Role.LIAISON in extracted:
            Liaison.objects.get_or_create(user=self, defaults={"role": kwargs.get("liaison_role", "primary")})


def make_user(role: str, unit: MemberUnit | None = None, **kwargs: Any) -> User:
    """A user with one role (and, for a liaison, a primary liaison place in ``unit``)."""
    return UserFactory(roles=[role], unit=unit, **kwargs)


class WorkTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkTask

    number = factory.Sequence(lambda n: 100 + n)
    title = factory.Sequence(lambda n: f"测试任务{n}")
