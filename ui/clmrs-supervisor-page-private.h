/* clmrs-supervisor-page-private.h: what a supervisor taps and reads, for tests. */
#pragma once

#include "clmrs-supervisor-page.h"

G_BEGIN_DECLS

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
