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

G_END_DECLS
