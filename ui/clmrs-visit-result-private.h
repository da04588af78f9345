/* clmrs-visit-result-private.h: what a user reads and taps on a visit's result, for tests. */
#pragma once

#include "clmrs-visit-result.h"

G_BEGIN_DECLS

/* The "Given Now" button for support @type to @child_id, or NULL. */
GtkWidget *clmrs_visit_result_get_support_button (ClmrsVisitResult *self,
                                                  const char       *child_id,
                                                  const char       *type);
/* Every title and subtitle shown, one a line. */
char      *clmrs_visit_result_dup_text           (ClmrsVisitResult *self);

G_END_DECLS
