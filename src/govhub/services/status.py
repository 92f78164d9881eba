"""The national dossier status codes 1–10 as a state machine: which action leads where, and who may take it."""

from __future__ import annotations

from dataclasses import dataclass

from govhub.core.i18n import N_

DRAFT = 0  # local only: never synchronised, never counted
NEW = 1  # Mới đăng ký
RECEIVED = 2  # Được tiếp nhận
REFUSED = 3  # Không được tiếp nhận
PROCESSING = 4  # Đang xử lý
SUPPLEMENT = 5  # Yêu cầu bổ sung giấy tờ
PAYMENT = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
WITHDRAWAL = 7  # Công dân yêu cầu rút hồ sơ
STOPPED = 8  # Dừng xử lý
DONE = 9  # Đã xử lý xong
RETURNED = 10  # Đã trả kết quả

LABELS = {
    DRAFT: N_("Draft"),
    NEW: N_("New"),
    RECEIVED: N_("Received"),
    REFUSED: N_("Not received"),
    PROCESSING: N_("Processing"),
    SUPPLEMENT: N_("Supplement requested"),
    PAYMENT: N_("Fees requested"),
    WITHDRAWAL: N_("Withdrawal requested"),
    STOPPED: N_("Processing stopped"),
    DONE: N_("Processed"),
    RETURNED: N_("Result returned"),
}
OPEN = frozenset({NEW, RECEIVED, PROCESSING, SUPPLEMENT, PAYMENT, WITHDRAWAL})
FINISHED = frozenset({REFUSED, STOPPED, DONE, RETURNED})

OFFICER = "officer"
CITIZEN = "citizen"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[int]
    target: int | None  # None: the status stays (a side step such as the apology)
    by: str
    label: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", frozenset({DRAFT}), NEW, CITIZEN, N_("Submit")),
        Transition("receive", frozenset({NEW}), RECEIVED, OFFICER, N_("Receive")),
        Transition("refuse", frozenset({NEW}), REFUSED, OFFICER, N_("Refuse to receive")),
        Transition("start", frozenset({RECEIVED}), PROCESSING, OFFICER, N_("Start processing")),
        Transition(
            "request_supplement", frozenset({PROCESSING}), SUPPLEMENT, OFFICER, N_("Request a supplement")
        ),
        Transition("supplement", frozenset({SUPPLEMENT}), PROCESSING, CITIZEN, N_("Supplement given")),
        Transition("request_payment", frozenset({PROCESSING}), PAYMENT, OFFICER, N_("Request fees")),
        Transition("confirm_payment", frozenset({PAYMENT}), PROCESSING, OFFICER, N_("Fees paid")),
        Transition(
            "withdraw",
            frozenset({NEW, RECEIVED, PROCESSING, SUPPLEMENT, PAYMENT}),
            WITHDRAWAL,
            CITIZEN,
            N_("Withdraw"),
        ),
        Transition("confirm_withdrawal", frozenset({WITHDRAWAL}), STOPPED, OFFICER, N_("Confirm withdrawal")),
        Transition("reject", frozenset({PROCESSING}), STOPPED, OFFICER, N_("Stop: not eligible")),
        Transition("approve", frozenset({PROCESSING}), DONE, OFFICER, N_("Approve")),
        Transition("return_result", frozenset({DONE}), RETURNED, OFFICER, N_("Return the result")),
        Transition(
            "reschedule",
            frozenset({RECEIVED, PROCESSING, SUPPLEMENT, PAYMENT}),
            None,
            OFFICER,
            N_("Apologise and set a new date"),
        ),
    )
}
# Steps a citizen takes at the desk (or by post) are entered by the officer on their behalf.
ALSO_BY_OFFICER = frozenset({"submit", "supplement", "withdraw"})


def allowed(status: int, by: str) -> list[Transition]:
    """The actions a page may offer for a dossier in this status."""
    return [
        t
        for t in TRANSITIONS.values()
        if status in t.sources
        and t.action != "submit"
        and (t.by == by or (by == OFFICER and t.action in ALSO_BY_OFFICER))
    ]


# Values shown through _(value) in pages: online levels, time units, timeliness and step names.
UI_LABELS = (
    N_("online_none"),
    N_("online_partial"),
    N_("online_full"),
    N_("hours"),
    N_("days"),
    N_("working_days"),
    N_("months"),
    N_("early"),
    N_("on_time"),
    N_("late"),
    N_("within_time"),
    N_("overdue"),
    N_("action_create"),
    N_("action_submit"),
    N_("action_receive"),
    N_("action_refuse"),
    N_("action_start"),
    N_("action_request_supplement"),
    N_("action_supplement"),
    N_("action_request_payment"),
    N_("action_confirm_payment"),
    N_("action_withdraw"),
    N_("action_confirm_withdrawal"),
    N_("action_reject"),
    N_("action_approve"),
    N_("action_return_result"),
    N_("action_reschedule"),
    N_("action_rate"),
)
