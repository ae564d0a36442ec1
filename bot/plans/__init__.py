"""Installment plans (个性化分期 / 协商还款): eligibility, term ladders, offers, affordability."""
