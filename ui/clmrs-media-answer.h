/* clmrs-media-answer.h: the answer to a binary question: a photo picked from the device's files, or a signature drawn; kept in the store with the draft. */
#pragma once

#include <gtk/gtk.h>

#include "clmrs-db-worker.h"
#include "clmrs-signature-pad.h"
#include "xform.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_MEDIA_ANSWER (clmrs_media_answer_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsMediaAnswer, clmrs_media_answer, CLMRS, MEDIA_ANSWER, GtkWidget)

/* For @prompt (CLMRS_CONTROL_UPLOAD) of the draft @visit_id: a signature
 * pad when its appearance says signature or draw, else a button to pick a
 * file (a handheld's camera saves its pictures as files).  Emits
 * "attached" (the file's name, the answer to save) once the file is kept. */
GtkWidget         *clmrs_media_answer_new            (ClmrsDbWorker     *worker,
                                                      const char        *visit_id,
                                                      const ClmrsPrompt *prompt);
/* What choosing @file in the file chooser does. */
void               clmrs_media_answer_attach_file    (ClmrsMediaAnswer  *self,
                                                      GFile             *file);
/* What "Keep the signature" does. */
void               clmrs_media_answer_keep_signature (ClmrsMediaAnswer  *self);
ClmrsSignaturePad *clmrs_media_answer_get_pad        (ClmrsMediaAnswer  *self);   /* NULL unless a signature */
gboolean           clmrs_media_answer_has_thumbnail  (ClmrsMediaAnswer  *self);
const char        *clmrs_media_answer_get_error      (ClmrsMediaAnswer  *self);   /* NULL when none shown */

G_END_DECLS
