"""data subject requests: the request log and its actions (issue 7)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('visitor_id', sa.String(length=32), nullable=True),
    sa.Column('identifiers', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('restricted', sa.Boolean(), nullable=False),
    sa.Column('handled_by', sa.String(length=254), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('data_requests', schema=None) as batch_op:
        batch_op.create_index('ix_data_requests_site_status_due', ['site_id', 'status', 'due_at'], unique=False)
        batch_op.create_index('ix_data_requests_site_visitor', ['site_id', 'visitor_id'], unique=False)

    op.create_table('data_request_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=True),
    sa.Column('document_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['data_requests.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('data_request_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_request_actions_request_id'), ['request_id'], unique=False)


def downgrade():
    with op.batch_alter_table('data_request_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_request_actions_request_id'))

    op.drop_table('data_request_actions')
    with op.batch_alter_table('data_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_data_requests_site_visitor')
        batch_op.drop_index('ix_data_requests_site_status_due')

    op.drop_table('data_requests')
