/* clmrs-visit-wizard.h: a visit, one question (or one small group) a screen, driven by the form engine. */
#pragma once

#include <adwaita.h>

#include "clmrs-db-worker.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_VISIT_WIZARD (clmrs_visit_wizard_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsVisitWizard, clmrs_visit_wizard, CLMRS, VISIT_WIZARD, AdwBin)

/* What to open: a new filling of a form about a household or child, or
 * a draft to resume.  Every member may be NULL but one of form_id,
 * draft_id and corrects. */
typedef struct {
  const char *form_id;       /* "household_visit", or a form file's path */
  const char *household_id;
  const char *child_id;      /* a follow-up's or support's child */
  const char *support_type;  /* a support record's type */
  const char *draft_id;      /* resume this draft (form_id, if given, names its form file) */
  const char *corrects;      /* correct this returned visit: a draft filled from it (or the one started) */
} ClmrsVisitRequest;

GtkWidget  *clmrs_visit_wizard_new          (void);
/* Opens a draft as @request says for @facilitator_id, filled with what
 * the app knows (core prefill), and shows its first screen; a resumed
 * draft opens at its first unanswered question. */
void        clmrs_visit_wizard_start        (ClmrsVisitWizard        *self,
                                             ClmrsDbWorker           *worker,
                                             const ClmrsVisitRequest *request,
                                             const char              *facilitator_id,
                                             const char              *facilitator_name,
                                             const char              *facilitator_sex,
                                             const char              *language);
/* Stops (the draft stays saved). */
void        clmrs_visit_wizard_stop         (ClmrsVisitWizard *self);

/* For tests: what a user sees and does. */
const char *clmrs_visit_wizard_get_state    (ClmrsVisitWizard *self);  /* "busy", "question", "review", "result", "error" */
guint       clmrs_visit_wizard_get_n_busy   (ClmrsVisitWizard *self);
/* The refs of the questions on the screen shown. */
GStrv       clmrs_visit_wizard_get_screen_refs (ClmrsVisitWizard *self);
/* Answers @ref on the screen shown, as typing or tapping does. */
gboolean    clmrs_visit_wizard_answer       (ClmrsVisitWizard *self,
                                             const char       *ref,
                                             const char       *value);
void        clmrs_visit_wizard_next         (ClmrsVisitWizard *self);
void        clmrs_visit_wizard_back         (ClmrsVisitWizard *self);
/* The inline message under @ref on the screen shown, or NULL. */
const char *clmrs_visit_wizard_get_message  (ClmrsVisitWizard *self,
                                             const char       *ref);
const char *clmrs_visit_wizard_get_visit_id (ClmrsVisitWizard *self);
const char *clmrs_visit_wizard_get_form_id  (ClmrsVisitWizard *self);
/* The answer to @ref in the filling shown, or NULL. */
char       *clmrs_visit_wizard_get_answer   (ClmrsVisitWizard *self,
                                             const char       *ref);
/* The result page's "Given now" button for support @type to @child_id. */
GtkWidget  *clmrs_visit_wizard_get_support_button (ClmrsVisitWizard *self,
                                                   const char       *child_id,
                                                   const char       *type);
/* The result page's text, for tests: every title and subtitle shown. */
char       *clmrs_visit_wizard_get_result_text (ClmrsVisitWizard *self);
/* The review page's text, for tests: every title and subtitle shown. */
char       *clmrs_visit_wizard_get_review_text (ClmrsVisitWizard *self);

G_END_DECLS
