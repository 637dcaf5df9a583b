"""revisions.shown: the banner texts of every language as shown, frozen at publish;
ledger_heads.signature: the head signed under the server's secret

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('revisions') as batch_op:
        batch_op.add_column(sa.Column('shown', sa.JSON(), nullable=True))
    with op.batch_alter_table('ledger_heads') as batch_op:
        batch_op.add_column(sa.Column('signature', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('ledger_heads') as batch_op:
        batch_op.drop_column('signature')
    with op.batch_alter_table('revisions') as batch_op:
        batch_op.drop_column('shown')
