/* clmrs-home-page.h: a facilitator's home: households, follow-ups due, messages, sync, indicators. */
#pragma once

#include <adwaita.h>

#include "clmrs-db-worker.h"
#include "clmrs-sync-page.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_HOME_PAGE (clmrs_home_page_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsHomePage, clmrs_home_page, CLMRS, HOME_PAGE, AdwBin)

GtkWidget  *clmrs_home_page_new          (void);
/* Loads every tab for @person_id. */
void        clmrs_home_page_start        (ClmrsHomePage *self,
                                          ClmrsDbWorker *worker,
                                          const char    *person_id,
                                          const char    *person_name);
/* Shows what @old (a window's home built in another language) read,
 * without reading it again; or loads every tab when @old had not. */
void        clmrs_home_page_start_again  (ClmrsHomePage *self,
                                          ClmrsHomePage *old,
                                          ClmrsDbWorker *worker,
                                          const char    *person_id,
                                          const char    *person_name);
/* Forgets the person and stops reading. */
void        clmrs_home_page_stop         (ClmrsHomePage *self);
ClmrsSyncPage *clmrs_home_page_get_sync_page (ClmrsHomePage *self);
/* Jobs under way (lists being read). */
guint       clmrs_home_page_get_n_busy   (ClmrsHomePage *self);
void        clmrs_home_page_set_tab      (ClmrsHomePage *self,
                                          const char    *name);
/* The tab shown: "households", "follow-ups", "messages", "sync", … */
const char *clmrs_home_page_get_tab      (ClmrsHomePage *self);
AdwToastOverlay *clmrs_home_page_get_toast_overlay (ClmrsHomePage *self);

G_END_DECLS
