/* draft.h: a visit's draft as the app opens it: started (where, with which form, prefilled) or resumed. */
#pragma once

#include "store.h"
#include "xform.h"

G_BEGIN_DECLS

/* What a new visit is about; everything but the form and who visits is
 * optional (NULL when not known). */
typedef struct {
  const char *form_id;          /* the newest version of this form on the device */
  const char *form_path;        /* or a form file (tests, pilots): used when set */
  const char *facilitator_id;
  const char *facilitator_name;
  const char *facilitator_sex;
  const char *community_id;     /* the community, when the caller chose it; else the household's */
  const char *household_id;     /* a known household (a revisit) */
  const char *child_id;         /* a follow-up's child; their household when @household_id is NULL */
  const char *support_type;     /* a support record's type code */
  const char *date;             /* the day of the visit, YYYY-MM-DD; NULL for today */
  const char *language;         /* the prompts' language; NULL: the form's default */
} ClmrsDraftRequest;

/* A draft opened: its form, a session holding its answers, and where it is. */
typedef struct {
  ClmrsForm        *form;
  ClmrsFormSession *session;
  char             *visit_id;
  char             *household_id;   /* NULL for a new household or a community-level visit */
  char             *child_id;
  char             *community_id;
  char             *country;        /* the community's ("ci", "gh"), "" when unknown */
  char             *anchor;         /* resumed: the first question still to answer, else NULL */
} ClmrsDraft;

void        clmrs_draft_free   (ClmrsDraft               *draft);

/* Starts a visit: the community asked for, else the household's (a
 * child's household when only the child is given), else the device's
 * first; the form; a draft
 * row, filled with what the app knows (clmrs_prefill_session()) and
 * saved, in one transaction, so a failure leaves no draft behind.
 * Errors: CLMRS_STORE_ERROR_NOT_FOUND when the device has no community or
 * not the form; any store error as it came. */
ClmrsDraft *clmrs_draft_start  (ClmrsStore               *store,
                                const ClmrsDraftRequest  *request,
                                GError                  **error);
/* Opens the draft @draft_id again: the form version it started with, its
 * saved answers, and in @anchor where the facilitator stopped.  Errors:
 * CLMRS_STORE_ERROR_NOT_FOUND when there is no such draft (finalised,
 * discarded), the catalog's when the device lost its form version. */
ClmrsDraft *clmrs_draft_resume (ClmrsStore               *store,
                                const char               *draft_id,
                                const char               *language,
                                GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsDraft, clmrs_draft_free)

G_END_DECLS
