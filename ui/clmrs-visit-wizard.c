/* clmrs-visit-wizard.c: a visit, one question (or one small group) a screen, driven by the form engine. */
#define G_LOG_DOMAIN "clmrs-visit-wizard"

#include "config.h"

#include "clmrs-visit-wizard.h"
#include "clmrs-visit-wizard-internal.h"
#include "clmrs-visit-wizard-private.h"
#include "clmrs-visit-result-private.h"
#include "clmrs-visit-review-private.h"
#include "clmrs-visit-screens-private.h"
#include "clmrs-db-worker-drafts.h"

#include <glib/gi18n.h>
#include <string.h>

#include "catalog.h"
#include "clmrs-labels-private.h"
#include "clmrs-rows-private.h"
#include "clmrs-window.h"

/*
 * The form session lives on the main thread (it is memory only: the engine
 * answers in microseconds); every answer is also written to the draft on
 * the database worker, in order, as it is set.  Finalising hands the
 * session to the worker while the wizard shows a spinner and touches
 * nothing, and takes it back with the result.  The question screen is
 * built in clmrs-visit-questions.c; the review and the result are widgets
 * of their own.
 */

G_DEFINE_FINAL_TYPE (ClmrsVisitWizard, clmrs_visit_wizard, ADW_TYPE_BIN)

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start (ClmrsVisitWizard        *self,
                   ClmrsDbWorker           *worker,
                   const ClmrsVisitRequest *request,
                   const char              *facilitator_id,
                   const char              *facilitator_name,
                   const char              *facilitator_sex,
                   const char              *language);

/* --- helpers --- */

void
_clmrs_visit_wizard_toast (ClmrsVisitWizard *self,
                           const char       *text)
{
  ClmrsWindow *window = CLMRS_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (self), CLMRS_TYPE_WINDOW));

  if (window != NULL)
    clmrs_window_show_toast (window, text);
}

static void
show_error (ClmrsVisitWizard *self,
            const char       *message)
{
  g_debug ("error page: %s", message);
  _clmrs_visit_wizard_hide_problem (self);
  adw_status_page_set_description (self->error_status, message);
  gtk_action_bar_set_revealed (self->action_bar, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "error");
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), FALSE);
}

void
_clmrs_visit_wizard_set_anchor (ClmrsVisitWizard *self,
                                const char       *ref)
{
  char *copy = g_strdup (ref);

  g_free (self->anchor);
  self->anchor = copy;
}

/* --- autosave on the worker --- */

static void
save_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ClmrsVisitWizard) self = user_data;
  g_autoptr(GError) error = NULL;

  clmrs_db_worker_save_answer_finish (CLMRS_DB_WORKER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->n_busy--;
  if (error != NULL)
    {
      g_warning ("Could not save the draft answer: %s", error->message);
      _clmrs_visit_wizard_toast (self, _("The answer could not be saved"));
    }
}

void
_clmrs_visit_wizard_save (ClmrsVisitWizard *self,
                          const char       *ref,
                          const char       *value,
                          gboolean          all)
{
  self->answered = TRUE;
  self->n_busy++;
  if (all)
    clmrs_db_worker_save_answers_async (self->worker, self->visit_id, clmrs_form_session_list_values (self->session),
                                        self->cancellable, save_cb, g_object_ref (self));
  else
    clmrs_db_worker_save_answer_async (self->worker, self->visit_id, ref, value,
                                       self->cancellable, save_cb, g_object_ref (self));
}

/* --- the review --- */

/* A review row tapped: back to the screen of its question. */
static void
review_edit_cb (ClmrsVisitReview *review,
                const char       *ref,
                ClmrsVisitWizard *self)
{
  if (self->session == NULL)
    return;
  _clmrs_visit_wizard_set_anchor (self, ref);
  self->from_review = TRUE;
  _clmrs_visit_wizard_show_screen (self);
}

void
_clmrs_visit_wizard_show_review (ClmrsVisitWizard *self)
{
  guint n_problems;

  self->from_review = FALSE;
  _clmrs_visit_wizard_hide_problem (self);
  n_problems = clmrs_visit_review_show (self->review, self->session);
  /* from its first line, wherever it was left for a correction */
  _clmrs_scroll_to_top (GTK_WIDGET (self->review));
  gtk_button_set_label (self->next_button, _("_Finish"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), n_problems == 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), TRUE);
  gtk_progress_bar_set_fraction (self->progress, 1.0);
  if (self->about != NULL)
    {
      /* Translators: "Review · SUPPORT · CHILD" */
      g_autofree char *subtitle = g_strdup_printf (_("%s · %s"), _("Review"), self->about);

      adw_window_title_set_subtitle (self->title, subtitle);
    }
  else
    adw_window_title_set_subtitle (self->title, _("Review"));
  g_clear_pointer (&self->anchor, g_free);
  gtk_action_bar_set_revealed (self->action_bar, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "review");
}

/* --- finalising and the result --- */

static void show_result (ClmrsVisitWizard *self, ClmrsFinaliseResult *result);

static gboolean
is_support_form (ClmrsVisitWizard *self)
{
  return g_strcmp0 (self->form_id, "support_record") == 0;
}

static void
result_done_cb (ClmrsVisitWizard *self)
{
  g_signal_emit (self, signals[DONE], 0, TRUE);
}

/* "Given Now" on the result: the support form for it, about that child. */
static void
result_give_cb (ClmrsVisitResult *result,
                const char       *child_id,
                const char       *child_name,
                const char       *type,
                ClmrsVisitWizard *self)
{
  ClmrsVisitRequest request = { 0 };
  g_autofree char *facilitator_id = g_strdup (self->facilitator_id);
  g_autofree char *facilitator_name = g_strdup (self->facilitator_name);
  g_autofree char *facilitator_sex = g_strdup (self->facilitator_sex);
  g_autofree char *language = g_strdup (self->language);
  g_autofree char *household_id = g_strdup (self->visit_result->household_id);
  g_autofree char *child = g_strdup (child_id);
  g_autofree char *name = g_strdup (child_name);
  g_autofree char *support_type = g_strdup (type);

  request.form_id = "support_record";
  request.household_id = household_id;
  request.child_id = child;
  request.support_type = support_type;
  start (self, self->worker, &request, facilitator_id, facilitator_name, facilitator_sex, language);
  /* every screen of the support form says which support, for whom */
  g_free (self->about);
  /* Translators: "SUPPORT · CHILD", e.g. "School kit · Kouadio" */
  self->about = g_strdup_printf (_("%s · %s"), _clmrs_support_label (support_type), name);
}

/* The visit's own page again, as it was, with the supports since given:
 * the wizard now holds the support form, so the visit's words are kept. */
static void
result_back_cb (ClmrsVisitWizard *self)
{
  adw_window_title_set_title (self->title, self->visit_title ? self->visit_title : "");
  g_clear_pointer (&self->about, g_free);
  show_result (self, self->visit_result);
}

static void
forget_visit (ClmrsVisitWizard *self)
{
  g_clear_pointer (&self->visit_result, clmrs_finalise_result_free);
  g_clear_pointer (&self->given, g_hash_table_unref);
  g_clear_pointer (&self->visit_prompts, g_ptr_array_unref);
  g_clear_pointer (&self->visit_title, g_free);
  g_clear_pointer (&self->visit_country, g_free);
  g_clear_pointer (&self->about, g_free);
}

static void
show_result (ClmrsVisitWizard    *self,
             ClmrsFinaliseResult *result)
{
  gboolean support = result != self->visit_result && is_support_form (self);
  const char *kind = self->form_id ? clmrs_catalog_visit_kind (self->form_id) : "household";
  /* household and follow-up visits (they have a household) assess children */
  gboolean about_children = result == self->visit_result && result->household_id != NULL &&
                            !g_str_equal (kind, "awareness") && !g_str_equal (kind, "closure");
  /* the visit's questions name its reasons' items, whichever form is open now */
  g_autoptr(GPtrArray) prompts = result == self->visit_result && self->visit_prompts != NULL
                                 ? g_ptr_array_ref (self->visit_prompts)
                                 : self->session ? clmrs_form_session_get_prompts (self->session) : NULL;
  ClmrsVisitResultPage page = {
    .children = about_children && !support ? result : NULL,
    .prompts = prompts,
    .country = result == self->visit_result && self->visit_prompts != NULL ? self->visit_country : self->country,
    .given = self->given,
    .back_to_children = support && self->visit_result != NULL,
  };

  if (support)
    page.heading = _("The support is recorded");
  else if (!about_children && g_str_equal (kind, "awareness"))
    page.heading = _("The awareness session is saved");
  /* not "The visit is saved · No child was assessed in this visit." */
  else if (g_str_equal (kind, "closure"))
    page.heading = _("The case is closed");
  else
    page.heading = _("The visit is saved");
  _clmrs_visit_wizard_hide_problem (self);
  clmrs_visit_result_show (self->result, &page);
  adw_window_title_set_subtitle (self->title, _("Result"));
  gtk_action_bar_set_revealed (self->action_bar, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "result");
}

static void
finalise_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ClmrsVisitWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsFinaliseResult) outcome = NULL;
  ClmrsFormSession *session = g_steal_pointer (&self->lent_session);

  outcome = clmrs_db_worker_finalise_visit_finish (CLMRS_DB_WORKER (source), result, &error);
  /* the session comes back whatever happened */
  if (self->visit_id == NULL)
    {
      /* stopped (signed out) meanwhile: nobody wants it */
      clmrs_form_session_free (session);
      return;
    }
  self->session = session;
  self->n_busy--;
  if (outcome == NULL)
    {
      _clmrs_visit_wizard_toast (self, error->message);
      _clmrs_visit_wizard_show_review (self);
      return;
    }
  if (is_support_form (self) && self->visit_result != NULL)
    {
      g_autoptr(GPtrArray) supports = clmrs_form_session_get_entities (self->session, "support");
      ClmrsEntityData *support = supports->len > 0 ? g_ptr_array_index (supports, 0) : NULL;
      const char *child_id = support ? json_object_get_string_member_with_default (support->fields, "child_id", "") : "";
      const char *type = support ? json_object_get_string_member_with_default (support->fields, "support_type", "") : "";

      g_debug ("support recorded: %s for %s", type, child_id);
      if (self->given == NULL)
        self->given = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      /* household support helps every child of the household it was suggested for */
      for (guint i = 0; i < self->visit_result->children->len; i++)
        {
          ClmrsChildOutcome *child = g_ptr_array_index (self->visit_result->children, i);

          if (*child_id == '\0' || g_str_equal (child->child_id, child_id))
            g_hash_table_add (self->given, g_strdup_printf ("%s %s", child->child_id, type));
        }
      show_result (self, outcome);
      return;
    }
  /* a household or follow-up visit: its supports can be recorded from its page */
  forget_visit (self);
  self->visit_result = g_steal_pointer (&outcome);
  self->visit_prompts = clmrs_form_session_get_prompts (self->session);
  self->visit_title = clmrs_form_session_dup_title (self->session);
  self->visit_country = g_strdup (self->country);
  show_result (self, self->visit_result);
}

static void
finalise (ClmrsVisitWizard *self)
{
  self->lent_session = g_steal_pointer (&self->session);
  self->n_busy++;
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "busy");
  clmrs_db_worker_finalise_visit_async (self->worker, self->visit_id, self->lent_session, self->country,
                                        finalise_cb, g_object_ref (self));
}

/* --- navigation --- */

/* The first question the form still needs answered in an instance of a
 * repeat whose roster (its REPEAT_ADD prompt) is on @screen, or NULL. */
static char *
unfinished_instance_answer (ClmrsVisitWizard *self,
                            GPtrArray        *prompts,
                            GArray           *starts,
                            int               screen)
{
  g_autoptr(GPtrArray) problems = NULL;

  for (guint i = g_array_index (starts, guint, screen); i < _clmrs_screen_end (starts, prompts, screen); i++)
    {
      ClmrsPrompt *prompt = g_ptr_array_index (prompts, i);
      g_autofree char *prefix = NULL;

      if (prompt->kind != CLMRS_PROMPT_REPEAT_ADD)
        continue;
      if (problems == NULL)
        problems = clmrs_form_session_validate (self->session);
      prefix = g_strconcat (prompt->ref, "[", NULL);
      for (guint p = 0; p < problems->len; p++)
        {
          ClmrsFormProblem *problem = g_ptr_array_index (problems, p);

          if (problem->node != NULL && g_str_has_prefix (problem->node, prefix) &&
              _clmrs_find_screen (prompts, starts, problem->node) >= 0)
            return g_strdup (problem->node);
        }
    }
  return NULL;
}

/* The first question still to answer on a screen other than @screen,
 * or NULL: where a correction from the review goes before the review. */
static char *
correction_missing (ClmrsVisitWizard *self,
                    GPtrArray        *prompts,
                    GArray           *starts,
                    int               screen)
{
  g_autoptr(GPtrArray) problems = clmrs_form_session_validate (self->session);

  for (guint p = 0; p < problems->len; p++)
    {
      ClmrsFormProblem *problem = g_ptr_array_index (problems, p);
      int at = _clmrs_find_screen (prompts, starts, problem->node);

      if (at >= 0 && at != screen)
        return g_strdup (problem->node);
    }
  return NULL;
}

void
_clmrs_visit_wizard_update_next (ClmrsVisitWizard *self)
{
  g_autoptr(GPtrArray) prompts = NULL;
  g_autoptr(GArray) starts = NULL;
  g_autofree char *missing = NULL;

  if (self->from_review && self->session != NULL)
    {
      prompts = clmrs_form_session_get_prompts (self->session);
      starts = _clmrs_screen_starts (prompts);
      missing = correction_missing (self, prompts, starts, _clmrs_find_screen (prompts, starts, self->anchor));
    }
  /* a correction made from the review goes straight back to it, once
     nothing else is missing: the review lists anything still wrong */
  gtk_button_set_label (self->next_button, self->from_review && missing == NULL ? _("Back to _Review") : _("_Next"));
}

void
clmrs_visit_wizard_next (ClmrsVisitWizard *self)
{
  g_autoptr(GPtrArray) prompts = NULL;
  g_autoptr(GArray) starts = NULL;
  int screen;

  g_return_if_fail (CLMRS_IS_VISIT_WIZARD (self));

  if (self->session == NULL || self->visit_id == NULL)
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "review") == 0)
    {
      finalise (self);
      return;
    }
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "question") != 0)
    return;
  /* an answer just given may have made a question of this screen relevant
     (days missed > 0, then why): the idle redraw has not drawn it yet, so
     draw the screen as the session sees it now and check that */
  if (self->refresh_source != 0 || !_clmrs_visit_wizard_screen_is_current (self))
    {
      _clmrs_visit_wizard_refresh_now (self);
    }
  if (!_clmrs_visit_wizard_check_screen (self))
    return;
  prompts = clmrs_form_session_get_prompts (self->session);
  starts = _clmrs_screen_starts (prompts);
  screen = _clmrs_find_screen (prompts, starts, self->anchor);
  if (!self->from_review && screen >= 0)
    {
      /* Next on a roster (it follows the children it lists) does not pass a
       * child whose answers are not finished: their first missing answer */
      g_autofree char *missing = unfinished_instance_answer (self, prompts, starts, screen);

      if (missing != NULL)
        {
          _clmrs_visit_wizard_set_anchor (self, missing);
          _clmrs_visit_wizard_show_screen (self);
          _clmrs_visit_wizard_check_screen (self);
          return;
        }
    }
  if (self->from_review)
    {
      /* a correction that made other questions needed (worked: yes, then
         how many hours) goes to each of them in turn, not to the review
         to be sent back from it again and again */
      g_autofree char *missing = correction_missing (self, prompts, starts, screen);

      if (missing != NULL)
        {
          _clmrs_visit_wizard_set_anchor (self, missing);
          _clmrs_visit_wizard_show_screen (self);
          return;
        }
      _clmrs_visit_wizard_show_review (self);
      return;
    }
  if (screen + 1 >= (int) starts->len)
    {
      _clmrs_visit_wizard_show_review (self);
      return;
    }
  _clmrs_visit_wizard_set_anchor (self, ((ClmrsPrompt *) g_ptr_array_index (prompts, g_array_index (starts, guint, screen + 1)))->ref);
  _clmrs_visit_wizard_show_screen (self);
}

void
clmrs_visit_wizard_back (ClmrsVisitWizard *self)
{
  g_autoptr(GPtrArray) prompts = NULL;
  g_autoptr(GArray) starts = NULL;
  int screen;

  g_return_if_fail (CLMRS_IS_VISIT_WIZARD (self));

  if (self->session == NULL)
    return;
  prompts = clmrs_form_session_get_prompts (self->session);
  starts = _clmrs_screen_starts (prompts);
  if (starts->len == 0)
    return;
  /* Back leaves the correction: the screens walk in order again */
  self->from_review = FALSE;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "review") == 0)
    screen = starts->len - 1;
  else
    screen = MAX (_clmrs_find_screen (prompts, starts, self->anchor) - 1, 0);
  _clmrs_visit_wizard_set_anchor (self, ((ClmrsPrompt *) g_ptr_array_index (prompts, g_array_index (starts, guint, screen)))->ref);
  _clmrs_visit_wizard_show_screen (self);
}

static void
next_clicked_cb (ClmrsVisitWizard *self)
{
  clmrs_visit_wizard_next (self);
}

static void
back_clicked_cb (ClmrsVisitWizard *self)
{
  clmrs_visit_wizard_back (self);
}

static void
discard_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!clmrs_db_worker_discard_draft_finish (CLMRS_DB_WORKER (source), result, &error))
    g_warning ("Could not delete an untouched draft: %s", error->message);
}

static void
close_clicked_cb (ClmrsVisitWizard *self)
{
  if (self->lent_session != NULL)
    return;  /* finalising: wait for it */
  /* opened and closed without one answer (a tap that missed, a second
     tap while the previous screen saved): no empty draft to trip over
     later. The worker runs jobs in order: the lists reloaded after this
     no longer hold it. */
  if (self->new_draft && !self->answered && self->visit_id != NULL && self->worker != NULL)
    {
      self->discarded = TRUE;
      clmrs_db_worker_discard_draft_async (self->worker, self->visit_id, NULL, discard_cb, NULL);
    }
  g_signal_emit (self, signals[DONE], 0, FALSE);
}

gboolean
clmrs_visit_wizard_get_discarded (ClmrsVisitWizard *self)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), FALSE);

  return self->discarded;
}

/* --- starting --- */

/* Whom a follow-up, a closure or a support record is about, as every
 * screen of it says: "Kouadio", "School kit · Kouadio"; NULL for a
 * household visit (its children are named screen by screen). */
static char *
about_of (ClmrsVisitWizard *self)
{
  const char *kind = clmrs_catalog_visit_kind (self->form_id);
  g_autoptr(GPtrArray) children = NULL;
  g_autoptr(GPtrArray) supports = NULL;
  const char *name = NULL;
  const char *type = NULL;

  if (!g_str_equal (kind, "follow_up") && !g_str_equal (kind, "closure") && !g_str_equal (kind, "support"))
    return NULL;
  children = clmrs_form_session_get_entities (self->session, "child");
  supports = clmrs_form_session_get_entities (self->session, "support");
  if (children->len == 1)
    name = json_object_get_string_member_with_default (((ClmrsEntityData *) g_ptr_array_index (children, 0))->fields,
                                                       "name", NULL);
  if (supports->len == 1)
    {
      JsonObject *fields = ((ClmrsEntityData *) g_ptr_array_index (supports, 0))->fields;

      type = json_object_get_string_member_with_default (fields, "support_type", NULL);
      if (name == NULL)
        name = json_object_get_string_member_with_default (fields, "name", NULL);
    }
  if (type != NULL && *type != '\0' && name != NULL && *name != '\0')
    /* Translators: "SUPPORT · CHILD", e.g. "School kit · Kouadio" */
    return g_strdup_printf (_("%s · %s"), _clmrs_support_label (type), name);
  if (type != NULL && *type != '\0')
    return g_strdup (_clmrs_support_label (type));
  return name != NULL && *name != '\0' ? g_strdup (name) : NULL;
}

static void
start_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ClmrsVisitWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsDraft) draft = NULL;
  g_autofree char *title = NULL;

  draft = clmrs_db_worker_open_draft_finish (CLMRS_DB_WORKER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->n_busy--;
  if (draft == NULL)
    {
      show_error (self, error->message);
      return;
    }
  self->form = g_steal_pointer (&draft->form);
  self->session = g_steal_pointer (&draft->session);
  self->form_id = g_strdup (clmrs_form_get_id (self->form));
  self->visit_id = g_steal_pointer (&draft->visit_id);
  self->community_id = g_steal_pointer (&draft->community_id);
  self->country = g_steal_pointer (&draft->country);
  g_free (self->household_id);
  self->household_id = g_steal_pointer (&draft->household_id);
  _clmrs_visit_wizard_set_anchor (self, draft->anchor);
  title = clmrs_form_session_dup_title (self->session);
  adw_window_title_set_title (self->title, title);
  if (self->about == NULL)
    self->about = about_of (self);
  _clmrs_visit_wizard_show_screen (self);
}

/* Empties the wizard; the draft stays saved. */
static void
reset (ClmrsVisitWizard *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->n_busy = 0;
  self->from_review = FALSE;
  self->new_draft = FALSE;
  self->answered = FALSE;
  self->discarded = FALSE;
  _clmrs_visit_wizard_clear_screen (self);
  clmrs_visit_review_clear (self->review);
  clmrs_visit_result_clear (self->result);
  /* a session lent to the worker for finalising belongs to it until it returns */
  g_clear_pointer (&self->session, clmrs_form_session_free);
  g_clear_pointer (&self->form, clmrs_form_unref);
  g_clear_pointer (&self->form_id, g_free);
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->visit_id, g_free);
  g_clear_pointer (&self->facilitator_id, g_free);
  g_clear_pointer (&self->facilitator_name, g_free);
  g_clear_pointer (&self->facilitator_sex, g_free);
  g_clear_pointer (&self->household_id, g_free);
  g_clear_pointer (&self->community_id, g_free);
  g_clear_pointer (&self->country, g_free);
  g_clear_pointer (&self->anchor, g_free);
}

static void
start (ClmrsVisitWizard        *self,
       ClmrsDbWorker           *worker,
       const ClmrsVisitRequest *request,
       const char              *facilitator_id,
       const char              *facilitator_name,
       const char              *facilitator_sex,
       const char              *language)
{
  gboolean path = request->form_id != NULL && strchr (request->form_id, '/') != NULL;
  ClmrsDraftRequest draft = {
    .form_id = path ? NULL : request->form_id,
    .form_path = path ? request->form_id : NULL,
    .facilitator_id = facilitator_id,
    .facilitator_name = facilitator_name,
    .facilitator_sex = facilitator_sex,
    .household_id = request->household_id,
    .child_id = request->child_id,
    .support_type = request->support_type,
    .language = language ? language : "en",
  };

  reset (self);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->worker, worker);
  self->facilitator_id = g_strdup (facilitator_id);
  self->facilitator_name = g_strdup (facilitator_name);
  self->facilitator_sex = g_strdup (facilitator_sex);
  self->household_id = g_strdup (request->household_id);
  self->language = g_strdup (draft.language);
  self->new_draft = request->draft_id == NULL && request->corrects == NULL;
  adw_window_title_set_title (self->title, "");
  adw_window_title_set_subtitle (self->title, "");
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_stack_set_visible_child_name (self->stack, "busy");
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), FALSE);
  self->n_busy++;
  clmrs_db_worker_open_draft_async (worker, &draft, request->draft_id, request->corrects,
                                    self->cancellable, start_cb, g_object_ref (self));
}

void
clmrs_visit_wizard_start (ClmrsVisitWizard        *self,
                          ClmrsDbWorker           *worker,
                          const ClmrsVisitRequest *request,
                          const char              *facilitator_id,
                          const char              *facilitator_name,
                          const char              *facilitator_sex,
                          const char              *language)
{
  g_return_if_fail (CLMRS_IS_VISIT_WIZARD (self));
  g_return_if_fail (CLMRS_IS_DB_WORKER (worker));
  g_return_if_fail (request != NULL);
  g_return_if_fail (request->form_id != NULL || request->draft_id != NULL || request->corrects != NULL);
  g_return_if_fail (facilitator_id != NULL);

  forget_visit (self);
  start (self, worker, request, facilitator_id, facilitator_name, facilitator_sex, language);
}

void
clmrs_visit_wizard_stop (ClmrsVisitWizard *self)
{
  g_return_if_fail (CLMRS_IS_VISIT_WIZARD (self));

  reset (self);
  forget_visit (self);
}

/* --- for tests --- */

const char *
clmrs_visit_wizard_get_state (ClmrsVisitWizard *self)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

guint
clmrs_visit_wizard_get_n_busy (ClmrsVisitWizard *self)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), 0);

  return self->n_busy;
}

GStrv
clmrs_visit_wizard_get_screen_refs (ClmrsVisitWizard *self)
{
  GStrvBuilder *builder;
  GStrv refs;

  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->screen_refs->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->screen_refs, i));
  refs = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return refs;
}

gboolean
clmrs_visit_wizard_answer (ClmrsVisitWizard *self,
                           const char       *ref,
                           const char       *value)
{
  gboolean ok;

  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), FALSE);
  g_return_val_if_fail (ref != NULL, FALSE);

  ok = _clmrs_visit_wizard_answer (self, ref, value);
  if (ok)
    _clmrs_visit_wizard_show_screen (self);  /* the widgets show the new value */
  return ok;
}

const char *
clmrs_visit_wizard_get_message (ClmrsVisitWizard *self,
                                const char       *ref)
{
  GtkLabel *label;

  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), NULL);

  label = g_hash_table_lookup (self->messages, ref);
  if (label == NULL || !gtk_widget_get_visible (GTK_WIDGET (label)))
    return NULL;
  return gtk_label_get_label (label);
}

const char *
clmrs_visit_wizard_get_visit_id (ClmrsVisitWizard *self)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), NULL);

  return self->visit_id;
}

const char *
clmrs_visit_wizard_get_form_id (ClmrsVisitWizard *self)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), NULL);

  return self->form_id;
}

char *
clmrs_visit_wizard_get_answer (ClmrsVisitWizard *self,
                               const char       *ref)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), NULL);

  return self->session ? clmrs_form_session_get_answer (self->session, ref) : NULL;
}

GtkWidget *
clmrs_visit_wizard_get_support_button (ClmrsVisitWizard *self,
                                       const char       *child_id,
                                       const char       *type)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), NULL);

  return clmrs_visit_result_get_support_button (self->result, child_id, type);
}

char *
clmrs_visit_wizard_get_result_text (ClmrsVisitWizard *self)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), NULL);

  return clmrs_visit_result_dup_text (self->result);
}

char *
clmrs_visit_wizard_get_review_text (ClmrsVisitWizard *self)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), NULL);

  return clmrs_visit_review_dup_text (self->review);
}
/* --- the object --- */

static void
clmrs_visit_wizard_dispose (GObject *object)
{
  ClmrsVisitWizard *self = (ClmrsVisitWizard *) object;

  if (self->messages != NULL)
    clmrs_visit_wizard_stop (self);
  g_clear_object (&self->worker);
  g_clear_pointer (&self->messages, g_hash_table_unref);
  g_clear_pointer (&self->typed, g_hash_table_unref);
  g_clear_pointer (&self->screen_refs, g_ptr_array_unref);
  g_clear_pointer (&self->problem_ref, g_free);

  G_OBJECT_CLASS (clmrs_visit_wizard_parent_class)->dispose (object);
}

static void
clmrs_visit_wizard_class_init (ClmrsVisitWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_visit_wizard_dispose;

  /**
   * ClmrsVisitWizard::done:
   * @finalised: whether the visit was finalised (else it stays a draft)
   */
  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (CLMRS_TYPE_VISIT_REVIEW);
  g_type_ensure (CLMRS_TYPE_VISIT_RESULT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-visit-wizard.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, title);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, progress);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, stack);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, question_scroller);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, question_box);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, review);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, result);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, error_status);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, back_button);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, next_button);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, action_bar);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, problem_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, problem_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, problem_question);
  gtk_widget_class_bind_template_callback (widget_class, next_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, close_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, review_edit_cb);
  gtk_widget_class_bind_template_callback (widget_class, result_done_cb);
  gtk_widget_class_bind_template_callback (widget_class, result_back_cb);
  gtk_widget_class_bind_template_callback (widget_class, result_give_cb);
}

/* The first label under @root other than @after, depth first. */
static GtkWidget *
find_label_under (GtkWidget *root,
                  GtkWidget *after)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LABEL (child) && child != after)
        return child;
      if ((found = find_label_under (child, after)) != NULL)
        return found;
    }
  return NULL;
}

static void
clmrs_visit_wizard_init (ClmrsVisitWizard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* the header's title wraps rather than be cut: at a phone's width
     beside the window's buttons "Awareness session" showed as
     "Awareness sess…" */
  _clmrs_wrap_labels_under (GTK_WIDGET (self->title));
  /* but its subtitle keeps to one line: whom a support record is about
     ("Awareness talk with the family · Kouadio") took three at 360 px, and
     the heading above the questions says it in full */
  {
    GtkWidget *title = find_label_under (GTK_WIDGET (self->title), NULL);
    GtkWidget *subtitle = find_label_under (GTK_WIDGET (self->title), title);

    if (subtitle != NULL)
      {
        gtk_label_set_wrap (GTK_LABEL (subtitle), FALSE);
        gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
      }
  }
  self->messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->typed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->screen_refs = g_ptr_array_new_with_free_func (g_free);
}

GtkWidget *
clmrs_visit_wizard_new (void)
{
  return g_object_new (CLMRS_TYPE_VISIT_WIZARD, NULL);
}
