/* clmrs-record-view.h: a finalised visit, read-only: the supervisor's message, each child's result, the answers. */
#pragma once

#include <adwaita.h>

#include "clmrs-db-worker.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_RECORD_VIEW (clmrs_record_view_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsRecordView, clmrs_record_view, CLMRS, RECORD_VIEW, AdwBin)

GtkWidget               *clmrs_record_view_new        (void);
/* Reads visit @visit_id and shows it with the questions and choices of
 * its form in @language ("en", "fr"); emits ::loaded when shown. */
void                     clmrs_record_view_load       (ClmrsRecordView *self,
                                                       ClmrsDbWorker   *worker,
                                                       const char      *visit_id,
                                                       const char      *language);
void                     clmrs_record_view_clear      (ClmrsRecordView *self);
/* The visit shown, or NULL. */
const ClmrsVisitSummary *clmrs_record_view_get_visit  (ClmrsRecordView *self);
guint                    clmrs_record_view_get_n_busy (ClmrsRecordView *self);
/* For tests: every title, subtitle and label shown, a line each. */
char                    *clmrs_record_view_get_text   (ClmrsRecordView *self);
/* A facilitator's view offers "Start a corrected visit" on a returned
 * visit not yet corrected, and emits ::correct when it is pressed. */
void                     clmrs_record_view_set_can_correct (ClmrsRecordView *self,
                                                            gboolean         can_correct);
GtkWidget               *clmrs_record_view_get_correct_button (ClmrsRecordView *self);  /* for tests; NULL when not offered */

G_END_DECLS
