"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-28

Also installs database triggers that make the audit log append-only (compliance rule 15):
no UPDATE ever, and no DELETE of an entry younger than the 2-year statutory minimum.
"""
from alembic import op
import sqlalchemy as sa
import bot.db.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', bot.db.types.LocalTime(), nullable=False),
    sa.Column('actor', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.Column('borrower_id', sa.String(length=16), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_borrower_id'), ['borrower_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('borrowers',
    sa.Column('id', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('id_last4', sa.String(length=4), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('phone_last4', sa.String(length=4), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('contact_optouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('borrower_id', sa.String(length=16), nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('recorded_at', bot.db.types.LocalTime(), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['borrower_id'], ['borrowers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact_optouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_optouts_borrower_id'), ['borrower_id'], unique=False)

    op.create_table('hardships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('borrower_id', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('declared_at', bot.db.types.LocalTime(), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['borrower_id'], ['borrowers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hardships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hardships_borrower_id'), ['borrower_id'], unique=False)

    op.create_table('loans',
    sa.Column('id', sa.String(length=16), nullable=False),
    sa.Column('borrower_id', sa.String(length=16), nullable=False),
    sa.Column('product', sa.String(length=32), nullable=False),
    sa.Column('principal', bot.db.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('daily_rate', bot.db.types.Rate(precision=12, scale=8), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('first_due', sa.Date(), nullable=False),
    sa.Column('autodebit', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['borrower_id'], ['borrowers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loans_borrower_id'), ['borrower_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('borrower_id', sa.String(length=16), nullable=True),
    sa.Column('loan_id', sa.String(length=16), nullable=True),
    sa.Column('opened_at', bot.db.types.LocalTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['borrower_id'], ['borrowers.id'], ),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_borrower_id'), ['borrower_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_loan_id'), ['loan_id'], unique=False)

    op.create_table('installments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('principal', bot.db.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('interest', bot.db.types.Money(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('loan_id', 'number')
    )
    with op.batch_alter_table('installments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_installments_loan_id'), ['loan_id'], unique=False)

    op.create_table('payment_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.String(length=16), nullable=False),
    sa.Column('attempted_on', sa.Date(), nullable=False),
    sa.Column('amount', bot.db.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('failure_code', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_attempts_loan_id'), ['loan_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.String(length=16), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', bot.db.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_loan_id'), ['loan_id'], unique=False)

    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.String(length=16), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=False),
    sa.Column('amount', bot.db.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('apr', bot.db.types.Rate(precision=12, scale=8), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('monthly_payment', bot.db.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('total_interest', bot.db.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('total_repayment', bot.db.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_loan_id'), ['loan_id'], unique=False)

    op.create_table('promises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.String(length=16), nullable=False),
    sa.Column('made_on', sa.Date(), nullable=False),
    sa.Column('promised_date', sa.Date(), nullable=False),
    sa.Column('amount', bot.db.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('promises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promises_loan_id'), ['loan_id'], unique=False)

    op.create_table('plan_installments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('principal', bot.db.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('interest', bot.db.types.Money(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'number')
    )
    with op.batch_alter_table('plan_installments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_installments_plan_id'), ['plan_id'], unique=False)

    _audit_triggers()


def downgrade() -> None:
    _drop_audit_triggers()
    with op.batch_alter_table('plan_installments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_installments_plan_id'))

    op.drop_table('plan_installments')
    with op.batch_alter_table('promises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promises_loan_id'))

    op.drop_table('promises')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_loan_id'))

    op.drop_table('plans')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_loan_id'))

    op.drop_table('payments')
    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_attempts_loan_id'))

    op.drop_table('payment_attempts')
    with op.batch_alter_table('installments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_installments_loan_id'))

    op.drop_table('installments')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_loan_id'))
        batch_op.drop_index(batch_op.f('ix_cases_borrower_id'))

    op.drop_table('cases')
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loans_borrower_id'))

    op.drop_table('loans')
    with op.batch_alter_table('hardships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hardships_borrower_id'))

    op.drop_table('hardships')
    with op.batch_alter_table('contact_optouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_optouts_borrower_id'))

    op.drop_table('contact_optouts')
    op.drop_table('borrowers')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_borrower_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')


# -- append-only audit log ---------------------------------------------------------------------
_SQLITE = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit log entries are append-only'); END""",
    """CREATE TRIGGER audit_log_no_early_delete BEFORE DELETE ON audit_log
       WHEN OLD.at > datetime('now', '+8 hours', '-2 years')
       BEGIN SELECT RAISE(ABORT, 'audit log entries are kept at least 2 years'); END""",
]
_POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           RAISE EXCEPTION 'audit log entries are append-only';
         END IF;
         IF OLD.at > (now() AT TIME ZONE 'Asia/Shanghai') - interval '2 years' THEN
           RAISE EXCEPTION 'audit log entries are kept at least 2 years';
         END IF;
         RETURN OLD;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_guard()""",
]


def _audit_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": _SQLITE, "postgresql": _POSTGRES}.get(dialect, []):
        op.execute(statement)


def _drop_audit_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_early_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_guard ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_guard()")
