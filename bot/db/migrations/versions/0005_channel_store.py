"""channel store (web widget and WeChat: inbound dedupe, rate window, small values, offered buttons)

The tables were created with ``create_all`` on first use before this revision; a database that
already has them (a demo ``var/bot.db`` from then) keeps them and only gets the revision stamp.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 03:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ("channel_inbound", "channel_rate_events", "channel_kv", "channel_choices")


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "channel_inbound" not in existing:
        op.create_table('channel_inbound',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('message_key', sa.String(length=160), nullable=False),
        sa.Column('conversation', sa.String(length=96), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reply', sa.Text(), nullable=True),
        sa.Column('created_at', sa.Float(), nullable=False),
        sa.Column('updated_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel', 'message_key', name='uq_channel_inbound_key')
        )
        op.create_index('ix_channel_inbound_conversation', 'channel_inbound', ['conversation'], unique=False)
        op.create_index('ix_channel_inbound_created_at', 'channel_inbound', ['created_at'], unique=False)
    if "channel_rate_events" not in existing:
        op.create_table('channel_rate_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=128), nullable=False),
        sa.Column('at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index('ix_channel_rate_key_at', 'channel_rate_events', ['key', 'at'], unique=False)
    if "channel_kv" not in existing:
        op.create_table('channel_kv',
        sa.Column('key', sa.String(length=160), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint('key')
        )
    if "channel_choices" not in existing:
        op.create_table('channel_choices',
        sa.Column('conversation', sa.String(length=96), nullable=False),
        sa.Column('buttons', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('conversation')
        )


def downgrade() -> None:
    op.drop_index('ix_channel_rate_key_at', table_name='channel_rate_events')
    op.drop_index('ix_channel_inbound_created_at', table_name='channel_inbound')
    op.drop_index('ix_channel_inbound_conversation', table_name='channel_inbound')
    for table in reversed(TABLES):
        op.drop_table(table)
