"""analytics: raw events, visit state, daily rollups (issue 5)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('analytics_daily',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('events', sa.BigInteger(), nullable=False),
    sa.Column('pageviews', sa.BigInteger(), nullable=False),
    sa.Column('sessions', sa.BigInteger(), nullable=False),
    sa.Column('bounces', sa.BigInteger(), nullable=False),
    sa.Column('engagements', sa.BigInteger(), nullable=False),
    sa.Column('duration_ms', sa.BigInteger(), nullable=False),
    sa.Column('scroll_sum', sa.BigInteger(), nullable=False),
    sa.Column('visitors', sa.BigInteger(), nullable=False),
    sa.Column('visitor_sketch', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('site_id', 'day')
    )
    op.create_table('analytics_dimension_counts',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('grain', sa.SmallInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=512), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('site_id', 'dimension', 'grain', 'day', 'value'),
    sqlite_with_rowid=False
    )
    op.create_table('analytics_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('visitor_id', sa.String(length=32), nullable=False),
    sa.Column('session_id', sa.String(length=16), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('type', sa.String(length=12), nullable=False),
    sa.Column('path', sa.String(length=1024), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('referrer_host', sa.String(length=255), nullable=True),
    sa.Column('referrer_path', sa.String(length=1024), nullable=True),
    sa.Column('utm_source', sa.String(length=200), nullable=True),
    sa.Column('utm_medium', sa.String(length=200), nullable=True),
    sa.Column('utm_campaign', sa.String(length=200), nullable=True),
    sa.Column('utm_term', sa.String(length=200), nullable=True),
    sa.Column('utm_content', sa.String(length=200), nullable=True),
    sa.Column('target', sa.String(length=2048), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('props', sa.JSON(), nullable=True),
    sa.Column('browser', sa.String(length=64), nullable=True),
    sa.Column('os', sa.String(length=64), nullable=True),
    sa.Column('device', sa.String(length=16), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('region', sa.String(length=8), nullable=True),
    sa.Column('city', sa.String(length=128), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('scroll', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('analytics_events', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_events_site_time', ['site_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_analytics_events_site_visitor', ['site_id', 'visitor_id'], unique=False)

    op.create_table('analytics_ingest_state',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('events', sa.BigInteger(), nullable=False),
    sa.Column('first_event_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_event_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('site_id')
    )
    op.create_table('analytics_sessions',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('visitor_id', sa.String(length=32), nullable=False),
    sa.Column('session_id', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pageviews', sa.Integer(), nullable=False),
    sa.Column('last_path', sa.String(length=1024), nullable=True),
    sa.Column('last_pageview_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('site_id', 'visitor_id')
    )
    with op.batch_alter_table('analytics_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_sessions_last_seen', ['last_seen'], unique=False)



def downgrade():
    with op.batch_alter_table('analytics_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_sessions_last_seen')

    op.drop_table('analytics_sessions')
    op.drop_table('analytics_ingest_state')
    with op.batch_alter_table('analytics_events', schema=None) as batch_op:
        batch_op.drop_index('ix_analytics_events_site_visitor')
        batch_op.drop_index('ix_analytics_events_site_time')

    op.drop_table('analytics_events')
    op.drop_table('analytics_dimension_counts')
    op.drop_table('analytics_daily')
