/* clmrs-visit-wizard-internal.h: the wizard's instance, shared by the two files that make it (not for tests: see -private.h). */
#pragma once

#include "clmrs-visit-wizard.h"
#include "clmrs-visit-result.h"
#include "clmrs-visit-review.h"

#include "visit.h"
#include "xform.h"

G_BEGIN_DECLS

/*
 * clmrs-visit-wizard.c: the widget, its navigation (Next, Back, the
 * review, Finish), its jobs on the worker and its pages;
 * clmrs-visit-questions.c: the question screen.
 */
struct _ClmrsVisitWizard
{
  AdwBin             parent_instance;

  /* Template widgets */
  AdwWindowTitle    *title;
  GtkProgressBar    *progress;
  GtkStack          *stack;
  GtkScrolledWindow *question_scroller;
  GtkBox            *question_box;
  ClmrsVisitReview  *review;
  ClmrsVisitResult  *result;
  AdwStatusPage     *error_status;
  GtkButton         *back_button;
  GtkButton         *next_button;
  GtkActionBar      *action_bar;
  GtkRevealer       *problem_revealer;
  GtkLabel          *problem_label;
  GtkLabel          *problem_question;

  /* Owned references */
  ClmrsDbWorker     *worker;
  GCancellable      *cancellable;
  ClmrsForm         *form;
  ClmrsFormSession  *session;       /* NULL while the worker finalises it */
  ClmrsFormSession  *lent_session;  /* the one the worker finalises */
  char              *form_id;
  char              *language;
  char              *visit_id;
  char              *facilitator_id;
  char              *facilitator_name;
  char              *facilitator_sex;
  char              *household_id;
  char              *community_id;
  char              *country;
  char              *anchor;        /* ref of the first prompt of the screen shown */
  GPtrArray         *screen_refs;   /* of char*, the questions shown */
  ClmrsFinaliseResult *visit_result; /* the visit whose supports are being recorded, or NULL */
  GHashTable        *given;         /* "child_id type" recorded from visit_result's page */
  GPtrArray         *visit_prompts; /* of ClmrsPrompt: visit_result's questions, for its items' words */
  char              *visit_title;   /* visit_result's form title */
  char              *about;         /* whom and what a support record started from the result is about */
  char              *visit_country; /* the rule set visit_result was assessed with */
  GHashTable        *messages;      /* ref -> GtkLabel (borrowed, in question_box) */
  guint              n_busy;
  gboolean           building;      /* widgets being filled: their signals are not answers */
  gboolean           from_review;   /* a screen opened from a review row: Next goes back to the review */
  gboolean           new_draft;     /* the draft was made by this start, not resumed */
  gboolean           answered;      /* something was saved since the start */
  gboolean           discarded;     /* closed untouched: the new draft is deleted */
  guint              refresh_source; /* rebuilds the screen when an answer shows or hides questions */
  char              *focus_ref;      /* the question to keep the focus on after it */
  GHashTable        *typed;          /* ref -> text typed that is not a number (kept on redraws) */
  char              *problem_ref;    /* the question the message bar is about, or NULL */
};

/* clmrs-visit-wizard.c */
void     _clmrs_visit_wizard_toast          (ClmrsVisitWizard *self,
                                             const char       *text);
void     _clmrs_visit_wizard_set_anchor     (ClmrsVisitWizard *self,
                                             const char       *ref);
/* Saves @ref's answer @value in the draft, or every answer when @all. */
void     _clmrs_visit_wizard_save           (ClmrsVisitWizard *self,
                                             const char       *ref,
                                             const char       *value,
                                             gboolean          all);
void     _clmrs_visit_wizard_show_review    (ClmrsVisitWizard *self);
/* Next's words for the screen shown: "Back to Review" on a correction
 * made from the review that left nothing else to answer, else "Next". */
void     _clmrs_visit_wizard_update_next    (ClmrsVisitWizard *self);

/* clmrs-visit-questions.c */
/* Builds the screen holding the anchor (the first when none does); the
 * review when the form has no screen. */
void     _clmrs_visit_wizard_show_screen    (ClmrsVisitWizard *self);
/* Empties the question screen, forgetting what was typed. */
void     _clmrs_visit_wizard_clear_screen   (ClmrsVisitWizard *self);
/* Whether the questions on the screen are still the ones the session shows. */
gboolean _clmrs_visit_wizard_screen_is_current (ClmrsVisitWizard *self);
/* Redraws the screen now, if a redraw was waiting or not. */
void     _clmrs_visit_wizard_refresh_now    (ClmrsVisitWizard *self);
/* Sets @ref to @value as a tap or keystroke does; FALSE when it does not fit. */
gboolean _clmrs_visit_wizard_answer         (ClmrsVisitWizard *self,
                                             const char       *ref,
                                             const char       *value);
/* Whether every question on the screen is answered as it must be; else
 * says what is wrong under each, and in the bar above Next for the first,
 * which it brings into view. */
gboolean _clmrs_visit_wizard_check_screen   (ClmrsVisitWizard *self);
void     _clmrs_visit_wizard_hide_problem   (ClmrsVisitWizard *self);

G_END_DECLS
