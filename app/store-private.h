/* store-private.h: store steps the core's modules run inside a transaction they opened. */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* Inside clmrs_store_begin(): replaces every saved answer of the draft
 * @visit_id with @values (element-type ClmrsFormValue), and notes when it
 * changed.  Errors: CLMRS_STORE_ERROR_NOT_FOUND, _STATE (not a draft). */
gboolean _clmrs_store_draft_replace_answers (ClmrsStore  *store,
                                             const char  *visit_id,
                                             GPtrArray   *values,
                                             GError     **error);

G_END_DECLS
