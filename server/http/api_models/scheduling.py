"""Models of the scheduling routes (server/http/routes/scheduling.py): slots, bookings, reminders."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from server.http.api_models.common import ErrorInfo, Strict


class SlotOut(BaseModel):
    id: str
    starts_at: str = Field(description="UTC, ISO 8601")
    ends_at: str
    capacity: int
    booked: int


class WindowRequest(Strict):
    starts_at: AwareDatetime = Field(description="ISO 8601 with a UTC offset, e.g. 2026-12-01T09:00:00+08:00")
    ends_at: AwareDatetime
    capacity: int = Field(default=1, ge=1, le=100, description="Candidates per slot")


class WindowResult(BaseModel):
    slots: list[SlotOut] = Field(description="The slots the window was cut into (the job's slot length each)")


class JobSchedulingRequest(Strict):
    allow_immediate: bool | None = Field(default=None, description="Candidates may start at once (true) or only "
                                         "in a booked slot (false)")
    slot_minutes: int | None = Field(default=None, ge=5, le=240, description="Length of one slot")


class BookingOut(BaseModel):
    interview_id: str
    candidate_name: str
    interview_status: str
    schedule_status: Literal["unscheduled", "booked", "cancelled", "no_show"]
    scheduled_at: str | None
    ends_at: str | None
    slot_id: str | None
    candidate_timezone: str


class JobScheduleOut(BaseModel):
    job_id: str
    allow_immediate: bool
    slot_minutes: int
    slots: list[SlotOut] = Field(description="Slots ending after a week ago, by start time")
    bookings: list[BookingOut] = Field(description="Every interview of the job with its schedule state")


class ReminderOut(BaseModel):
    id: str
    kind: Literal["confirmation", "reschedule", "cancellation", "reminder_24h", "reminder_1h"]
    channel: str
    recipient: str
    due_at: str
    status: Literal["pending", "sending", "sent", "failed", "cancelled", "skipped"]
    attempts: int
    last_error: str
    sent_at: str | None


class InterviewScheduleOut(BookingOut):
    reminders: list[ReminderOut]


class NoShowRequest(Strict):
    no_show: bool = Field(description="true marks the candidate as a no-show; false takes the mark back")


class FreeSlotOut(BaseModel):
    id: str
    starts_at: str = Field(description="UTC, ISO 8601")
    ends_at: str
    free: int = Field(description="Seats left")


class CandidateSchedule(BaseModel):
    interview_id: str
    candidate_name: str
    job_title: str
    language: str
    interview_status: str
    allow_immediate: bool
    slot_minutes: int
    schedule_status: str
    booking: FreeSlotOut | None = Field(description="The booked slot (free = its seats left)")
    candidate_timezone: str
    can_start: bool = Field(description="The interview may be started now")
    start_refusal: ErrorInfo | None = Field(description="Why not (too_early, booking_required, missed_slot)")
    opens_at: str | None = Field(description="When the booked interview can be joined")
    slots: list[FreeSlotOut] = Field(description="Future slots with a free seat, except the booked one")
    notified_channels: list[str] = Field(description="Channels confirmations and reminders go out on (the "
                                         "invitation's); empty: the candidate is told on this page only")
    server_time: str
    # link lifetime (the link may expire before a booked slot: confirmations and this page hand out one that lasts)
    link_expires_at: str | None = Field(default=None, description="When the link used for this request stops working")
    link_needed_after_slot_min: int = Field(default=0, description="Minutes after a slot's end a link for it must "
                                            "still work (the no-show grace)")
    renewed_token: str | None = Field(default=None, description="Set when the booking outlasts the link used: a new "
                                      "link token valid until the booked slot is over (the confirmation and "
                                      "reminders carry the same kind of link)")
    renewed_link_expires_at: str | None = Field(default=None, description="When the renewed link stops working")


class BookRequest(Strict):
    token: str = Field(max_length=2000)
    slot_id: str = Field(max_length=64)
    timezone: str = Field(min_length=1, max_length=64, description="IANA zone of the candidate's browser")


class CancelBookingRequest(Strict):
    token: str = Field(max_length=2000)
