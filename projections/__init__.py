"""Read models of the ledger: DID document versions, the trust list and name tree, status lists.

Open both sides from one environment (the ledger's, see projections.env)::

    views = open_views(env)                      # SqlTrustViews: the TrustViews queries
    projector = Projector(ledger, views.recorder)  # writes them from the ledger's notification log
    projector.run_once()                          # or projector.wait(notification_id)
"""

from projections.env import VIEWS_NAME, open_view_recorder, open_views, views_env
from projections.projector import Projector
from projections.recorder import ViewRecorder
from projections.views import UPSTREAM, SqlTrustViews

__all__ = [
    "UPSTREAM",
    "VIEWS_NAME",
    "Projector",
    "SqlTrustViews",
    "ViewRecorder",
    "open_view_recorder",
    "open_views",
    "views_env",
]
