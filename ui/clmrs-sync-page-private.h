/* clmrs-sync-page-private.h: the sync page's widgets and state, for tests and the home page's list. */
#pragma once

#include "clmrs-sync-page.h"

G_BEGIN_DECLS

gboolean    clmrs_sync_page_get_running   (ClmrsSyncPage *self);
gint64      clmrs_sync_page_get_queued    (ClmrsSyncPage *self);   /* -1 until read */
/* How many progress reports showed records done, and the most records shown. */
guint       clmrs_sync_page_get_n_progress (ClmrsSyncPage *self,
                                            guint64       *max_records);
const char *clmrs_sync_page_get_result    (ClmrsSyncPage *self);   /* the Result row's text */
const char *clmrs_sync_page_get_reach     (ClmrsSyncPage *self);   /* the Connection row's text */
GtkListBox *clmrs_sync_page_get_queue_list (ClmrsSyncPage *self);
GtkWidget  *clmrs_sync_page_get_widget    (ClmrsSyncPage *self,
                                           const char    *name);   /* "sync", "cancel", "progress", "queue", "last-sync" */

G_END_DECLS
