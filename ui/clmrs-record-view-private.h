/* clmrs-record-view-private.h: a record view's text, for tests. */
#pragma once

#include "clmrs-record-view.h"

G_BEGIN_DECLS

char                    *clmrs_record_view_get_text   (ClmrsRecordView *self);
GtkWidget               *clmrs_record_view_get_correct_button (ClmrsRecordView *self);  /* NULL when not offered */

G_END_DECLS
