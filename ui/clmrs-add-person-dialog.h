/* clmrs-add-person-dialog.h: someone signed in lets a colleague of their communities sign in on this device. */
#pragma once

#include <adwaita.h>

#include "clmrs-db-worker.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_ADD_PERSON_DIALOG (clmrs_add_person_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsAddPersonDialog, clmrs_add_person_dialog, CLMRS, ADD_PERSON_DIALOG, AdwWindow)

/* Lists, on @worker's thread, the people of the device who cannot sign
 * in here yet (clmrs_device_list_arrivals()). */
GtkWidget  *clmrs_add_person_dialog_new          (GtkWindow            *parent,
                                                  ClmrsDbWorker        *worker);
/* "loading", "people", "pin", "busy" (the key being wrapped), "done". */
const char *clmrs_add_person_dialog_get_state    (ClmrsAddPersonDialog *self);
/* How many people are listed (once "people"). */
guint       clmrs_add_person_dialog_get_n_people (ClmrsAddPersonDialog *self);

G_END_DECLS
