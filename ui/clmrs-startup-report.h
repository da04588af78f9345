/* clmrs-startup-report.h: CLMRS_FIELD_REPORT_STARTUP=1 prints time to first frame and resident memory. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* With CLMRS_FIELD_REPORT_STARTUP set, prints on stdout, after the frames
 * that show them: the first frame, the sign-in page and the home page
 * (loaded), each with the time since the process started and its VmRSS.
 * Does nothing otherwise. */
void clmrs_startup_report_attach (GtkWidget *window);

G_END_DECLS
