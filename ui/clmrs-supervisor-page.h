/* clmrs-supervisor-page.h: a supervisor's view: the unsynced queue by facilitator, visits to approve or return. */
#pragma once

#include <adwaita.h>

#include "clmrs-db-worker.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_SUPERVISOR_PAGE (clmrs_supervisor_page_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsSupervisorPage, clmrs_supervisor_page, CLMRS, SUPERVISOR_PAGE, AdwBin)

GtkWidget  *clmrs_supervisor_page_new        (void);
void        clmrs_supervisor_page_start      (ClmrsSupervisorPage *self,
                                              ClmrsDbWorker       *worker,
                                              const char          *person_id,
                                              const char          *person_name);
void        clmrs_supervisor_page_stop       (ClmrsSupervisorPage *self);
/* For tests: what a supervisor taps and reads. */
guint       clmrs_supervisor_page_get_n_busy (ClmrsSupervisorPage *self);
GtkListBox *clmrs_supervisor_page_get_list   (ClmrsSupervisorPage *self,
                                              const char          *name);  /* "queue", "visits" */
/* Opens visit @index of the "visits" list, as a tap does. */
void        clmrs_supervisor_page_open_visit (ClmrsSupervisorPage *self,
                                              guint                index);
const char *clmrs_supervisor_page_get_open_visit_id (ClmrsSupervisorPage *self);
/* Records the decision on the open visit, as the buttons and dialog do. */
void        clmrs_supervisor_page_decide     (ClmrsSupervisorPage *self,
                                              const char          *decision,
                                              const char          *message);

G_END_DECLS
