/* clmrs-sync-page.h: the Sync tab: server reachability, the queue, Sync now with progress, the result. */
#pragma once

#include <adwaita.h>

#include "clmrs-db-worker.h"

G_BEGIN_DECLS

/* Records waiting this many days or more are shown as late, with a warning. */
#define CLMRS_SYNC_PAGE_LATE_DAYS 7

#define CLMRS_TYPE_SYNC_PAGE (clmrs_sync_page_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsSyncPage, clmrs_sync_page, CLMRS, SYNC_PAGE, AdwBin)

GtkWidget  *clmrs_sync_page_new           (void);
/* Reads the queue and the enrolment, checks the server. */
void        clmrs_sync_page_start         (ClmrsSyncPage *self,
                                           ClmrsDbWorker *worker);
/* Stops reading; a sync under way goes on (use clmrs_sync_page_cancel). */
void        clmrs_sync_page_stop          (ClmrsSyncPage *self);
/* What "Sync now" and "Cancel" do. */
void        clmrs_sync_page_sync_now      (ClmrsSyncPage *self);
void        clmrs_sync_page_cancel        (ClmrsSyncPage *self);
/* Moves a sync under way from @from to @self, which shows its progress
 * and result from now on (and can cancel it); @from is left idle. */
void        clmrs_sync_page_take_sync     (ClmrsSyncPage *self,
                                           ClmrsSyncPage *from);

guint       clmrs_sync_page_get_n_busy    (ClmrsSyncPage *self);   /* reads and checks under way */

G_END_DECLS
