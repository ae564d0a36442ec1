"""Plain-Chinese explanations of a loan's facts: balances, why it is overdue, penalty, plans.

The answers are pure functions over a ``LoanView`` / ``Statement``, the patterns that tell what a
borrower asks, and the answer texts; one module per topic:

- ``owed.py``: the balance, the amount due now (asked beside another question), why it is so much,
  what will be due on a later day (asked, or read back with a promise), the installments left
- ``due_dates.py``: the due date, the cutoff on the due day, the grace period, whether paying now is
  in time, the due day that stays fixed (moving it, wages after it)
- ``overdue.py``: why it is overdue (and that reason questioned), the consequences (one asked about),
  a refusal to pay
- ``penalty_and_interest.py``: the penalty (罚息) and its computation, what it does after paying an
  amount, the contract's interest
- ``paying_early.py``: the payoff (today, on a later day, why so much), the next installment early,
  paying part of the principal early, how to do it, no fee
- ``paying.py``: how to pay (the ways, someone else's card, wallets, paying part), whether it went
  through (posting, the payment check), enough today, what paying today does
- ``autodebit.py``: what a failure code means (``FAILURE_CODES``), the card that failed, setting
  autodebit up, debiting again, the card said to be seen to, whether the latest debit ran
- ``hardship.py``: hard times, short of money, a wait too long, later in the grace days, nothing to
  extend, what to do now, the hardship categories' names
- ``promises.py``: a promise missed, the rest beyond the open promises, the promises on record
- ``plans.py``: personalised plans (menu, terms, interest, one already running), an amount per month
- ``credit.py``: the credit report: what paying or not does to it, the record so far, how to check it
- ``disputes.py``: an open dispute: where it stands, proof offered
- ``other_lenders.py``: another company's product named (花呗, 借呗, 白条): whose it is, what the bot does
- ``service_desk.py``: the desk's hours, a changed phone number, the settlement certificate
- ``general_rules.py``: the rules anyone may be told before verification (penalty, paying early, due
  dates, why a debit fails, paying later)
- ``wording.py``: helpers several topics share (``pct``, ``installment_name``, ``asks_yes_no``)

This package re-exports every public name, so ``from bot.dialogue import explain; explain.balance(view)``
works as before (``cn_date`` too, as it always did). No module is named like a function in the package
(``explain.penalty`` and ``explain.early_repayment`` are the answers, not modules).
"""
from bot.clock import cn_date
from bot.dialogue.explain.autodebit import (
    CARD_FAILURES,
    FAILURE_CODES,
    asks_how_to_set_up_autodebit,
    asks_to_change_card,
    card_problem,
    change_card_how,
    asks_if_debited,
    asks_to_debit_again,
    autodebit_setup,
    debit_again,
    debit_status,
    says_card_is_set,
)
from bot.dialogue.explain.credit import (
    CREDIT_RECORD_YEARS,
    CREDIT_REPORT_HOW,
    asks_credit_too,
    asks_how_to_check_credit,
    credit_impact,
    credit_question_answered,
)
from bot.dialogue.explain.disputes import (
    HOW_DISPUTE_CHECKED,
    UNDER_DISPUTE,
    asks_about_dispute,
    asks_if_borrowed,
    asks_case_number,
    case_already_open,
    case_numbers,
    dispute_status,
)
from bot.dialogue.explain.due_dates import (
    HOLIDAY_RULE,
    PAYMENT_WORDS,
    holiday_rule,
    asks_about_holiday,
    asks_if_debited_again,
    debited_again,
    DUE_DAY_CUTOFF,
    DUE_DAY_WHY,
    GRACE_AFTER_DUE_DAY,
    asks_about_cutoff,
    asks_about_grace,
    asks_due_date_too,
    asks_if_in_time,
    asks_to_move_due_day,
    due_date,
    due_day_fixed,
    grace_left,
    grace_period,
    in_time,
    asks_about_reminders,
    next_due,
    reminders_stopped,
    wages_after_due_day,
)
from bot.dialogue.explain.hardship import (
    BEREAVED_NEXT,
    CONDOLENCE,
    asks_what_to_do,
    hardship_label,
    later_in_grace,
    nothing_to_extend,
    says_a_wait_in_months,
    says_short_of_money,
    says_someone_died,
    short_on_the_due_day,
    tells_of_hard_times,
    wait_too_long,
    ways_on,
)
from bot.dialogue.explain.general_rules import GENERAL_RULES, general_rule
from bot.dialogue.explain.overdue import (
    asks_consequences_generally,
    consequence_asked,
    criminal_fear_answer,
    threat_corrected,
    consequences,
    overdue_reason,
    overdue_reason_questioned,
    refusal,
)
from bot.dialogue.explain.owed import (
    STILL_SHOWN_WHEN_SETTLED,
    says_still_shown_owing,
    STILL_COLLECTED_WHEN_SETTLED,
    amount_due_why,
    asks_balance_too,
    asks_how_many_left,
    asks_why_so_much,
    balance,
    due_grows,
    installments_left,
    owed_now,
    owed_on,
    owed_on_after_paying,
    refers_to_then,
    says_still_collected,
)
from bot.dialogue.explain.paying import (
    HOW_TO_PAY_SHORT,
    PAYMENT_NOT_FOUND,
    PAYMENT_TO_A_PERSON,
    POSTING,
    TRANSFER_DELAY,
    asks_about_others_account,
    asks_about_wallet,
    asks_how,
    asks_how_to_know_it_went_through,
    asks_how_too,
    asks_if_paid,
    asks_to_pay_part,
    enough_today,
    how_to_pay,
    how_to_pay_again,
    if_paid_today,
    names_paying,
    own_situation,
    paying_part,
    claimed_not_found,
    payment_check,
    since_said,
    says_when_paying,
    specific_way_to_pay,
)
from bot.dialogue.explain.paying_early import (
    asks_to_prepay_part,
    prepaying_part,
    HOW_TO_REPAY_EARLY,
    SAME_INSTALLMENTS,
    asks_about_fee,
    asks_smaller_installments,
    asks_about_next_installment,
    early_repayment,
    early_repayment_again,
    next_installment_early,
    partial_prepayment,
    payoff_on,
    payoff_why,
    prepays_principal,
)
from bot.dialogue.explain.penalty_and_interest import (
    asks_per_day,
    penalty_per_day,
    challenges_price,
    price_facts,
    amount_paid,
    asks_about_interest,
    asks_penalty_too,
    loan_interest,
    penalty,
    penalty_after_paying,
)
from bot.dialogue.explain.plans import (
    PAY_LESS_WAYS,
    PLAN_CHANGE_BY_A_PERSON,
    asks_for_schedule,
    asks_plan_status,
    asks_to_pay_less,
    is_budget,
    is_expense,
    is_income,
    per_month,
    plan_active_again,
    plan_disclosure,
    plan_due_dates,
    plan_interest,
    plan_menu,
    plan_menu_again,
    plan_schedule,
    why_not_this_term,
)
from bot.dialogue.explain.promises import (
    asks_about_promises,
    asks_for_promises_listed,
    asks_about_rest,
    promise_missed,
    promise_rest,
    promise_already_recorded,
    promises_cover,
    promises_on_record,
    rest_beyond_promises,
    rest_said_at,
)
from bot.dialogue.explain.other_lenders import not_our_product, other_lenders_named
from bot.dialogue.explain.service_desk import (
    BORROWING_TO_REPAY,
    CERTIFICATE_HOW,
    CONTACT_REPORTED,
    PHONE_CHANGE,
    WRONG_NUMBER_STOP,
    about_the_regulator,
    asks_about_hours,
    asks_for_certificate,
    borrows_to_repay,
    regulator_answer,
    reports_contact,
    says_phone_changed,
    service_hours_answer,
    settlement_certificate,
)
from bot.dialogue.explain.wording import asks_yes_no, installment_name, pct
