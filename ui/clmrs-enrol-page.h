/* clmrs-enrol-page.h: first run: enrol the device with a server and a one-time code, or continue offline. */
#pragma once

#include <adwaita.h>

#include "clmrs-db-worker.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_ENROL_PAGE (clmrs_enrol_page_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsEnrolPage, clmrs_enrol_page, CLMRS, ENROL_PAGE, AdwBin)

GtkWidget *clmrs_enrol_page_new        (void);
/* Ready to enrol the device whose database @worker holds (open: the
 * supervisors on it are named, whom the server will take for facilitators). */
void       clmrs_enrol_page_reset      (ClmrsEnrolPage *self,
                                        ClmrsDbWorker  *worker);
/* Stops an enrolment under way. */
void       clmrs_enrol_page_stop       (ClmrsEnrolPage *self);
gboolean   clmrs_enrol_page_get_busy   (ClmrsEnrolPage *self);

G_END_DECLS
