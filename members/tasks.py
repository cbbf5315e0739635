"""Thin Celery tasks: each calls one service and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from members import services


@shared_task(name="members.heartbeat")
def heartbeat() -> None:
    services.heartbeat_record()


@shared_task(name="members.deliver_notification")
def deliver_notification(notification_id: int) -> str:
    return services.notification_deliver(notification_id=notification_id)


@shared_task(name="members.deliver_due_notifications")
def deliver_due_notifications() -> int:
    """Sweep: send what is new, due for a retry, or was left half-sent by a worker that died."""
    ids = services.due_deliveries()
    for pk in ids:
        services.notification_deliver(notification_id=pk)
    return len(ids)
