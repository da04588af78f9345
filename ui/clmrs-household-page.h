/* clmrs-household-page.h: one household, read-only: its children and their cases, its visits, a new visit. */
#pragma once

#include <adwaita.h>

#include "clmrs-db-worker.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_HOUSEHOLD_PAGE (clmrs_household_page_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsHouseholdPage, clmrs_household_page, CLMRS, HOUSEHOLD_PAGE, AdwBin)

GtkWidget  *clmrs_household_page_new              (void);
/* Reads household @household_id with @worker (the form titles in
 * @language) and shows it; what was shown before goes at once. */
void        clmrs_household_page_load             (ClmrsHouseholdPage *self,
                                                   ClmrsDbWorker      *worker,
                                                   const char         *household_id,
                                                   const char         *language);
/* Reads the household shown again (after a visit of it). */
void        clmrs_household_page_reload           (ClmrsHouseholdPage *self);
/* Stops reading and forgets the household. */
void        clmrs_household_page_clear            (ClmrsHouseholdPage *self);
const char *clmrs_household_page_get_household_id (ClmrsHouseholdPage *self);

/* For tests: what a user sees. */
guint       clmrs_household_page_get_n_busy       (ClmrsHouseholdPage *self);
/* The "children", "supports" (planned, not given: to reconcile) or "visits" list. */
GtkListBox *clmrs_household_page_get_list         (ClmrsHouseholdPage *self,
                                                   const char         *name);

G_END_DECLS
