/* prefill.h: what a new filling of a form knows before its first question. */
#pragma once

#include "store.h"
#include "xform.h"

G_BEGIN_DECLS

/* Everything is optional (NULL when not known). */
typedef struct {
  const char *facilitator_id;
  const char *facilitator_name;
  const char *facilitator_sex;
  const char *date;           /* the day of the visit, YYYY-MM-DD; NULL for today */
  const char *community_id;
  const char *household_id;
  const char *child_id;
  const char *support_type;   /* a support record's type code, e.g. "school_kit" */
} ClmrsPrefill;

/* Fills the empty questions of a fresh @session that the app knows
 * without asking: who visits, the day of the visit, and through the
 * form's clmrs:field binds the ids of the household, child, community and
 * support type; with @store also the household's head and the child's
 * name, sex, date of birth, age on the day and a birth certificate seen
 * before, read from the child's history.  For a household without a
 * child (a household revisit) an empty child roster gets one instance per
 * child the store knows in the household, filled the same way and with
 * its child_id, so finalising re-assesses those children; a roster that
 * has instances already (a restored draft) is left alone.  A field the
 * form does not have is skipped; an answer already given is kept. */
gboolean clmrs_prefill_session (ClmrsFormSession   *session,
                                ClmrsStore         *store,
                                const ClmrsPrefill *prefill,
                                GError            **error);

G_END_DECLS
