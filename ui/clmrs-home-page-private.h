/* clmrs-home-page-private.h: what a user reads and does on the home page, for tests. */
#pragma once

#include "clmrs-home-page.h"

G_BEGIN_DECLS

GListModel *clmrs_home_page_get_households (ClmrsHomePage *self);
void        clmrs_home_page_search       (ClmrsHomePage *self,
                                          const char    *text);
GtkListBox *clmrs_home_page_get_list     (ClmrsHomePage *self,
                                          const char    *name);  /* "follow-ups", "messages", "queue", "drafts" */
/* The newest of the unfinished visits listed, or NULL. */
const char *clmrs_home_page_get_draft_id (ClmrsHomePage *self);
/* Shows the households: the next one tapped starts @form_id about it
 * (NULL: back to starting household visits). */
void            clmrs_home_page_pick_household (ClmrsHomePage *self,
                                                const char    *form_id);
/* TRUE while the daily case refresh runs after a sign-in: the follow-ups
 * and the indicators wait for it ("Updating follow-ups…"). */
gboolean        clmrs_home_page_get_refreshing (ClmrsHomePage *self);
/* TRUE from a sign-in or a visit closed until home's first lists are
 * back: its content takes no tap meanwhile. */
gboolean        clmrs_home_page_get_loading    (ClmrsHomePage *self);

G_END_DECLS
