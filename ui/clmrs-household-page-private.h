/* clmrs-household-page-private.h: what a user sees on a household's page, for tests. */
#pragma once

#include "clmrs-household-page.h"

G_BEGIN_DECLS

guint       clmrs_household_page_get_n_busy       (ClmrsHouseholdPage *self);
/* The "children", "supports" (planned, not given: to reconcile) or "visits" list. */
GtkListBox *clmrs_household_page_get_list         (ClmrsHouseholdPage *self,
                                                   const char         *name);

G_END_DECLS
