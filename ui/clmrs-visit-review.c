/* clmrs-visit-review.c: a visit's answers before Finish, grouped by household and child, each row back to its question. */
#define G_LOG_DOMAIN "clmrs-visit-review"

#include "config.h"

#include "clmrs-visit-review.h"
#include "clmrs-visit-review-private.h"

#include <glib/gi18n.h>

#include "clmrs-labels-private.h"
#include "clmrs-rows-private.h"
#include "clmrs-visit-screens-private.h"

struct _ClmrsVisitReview
{
  AdwBin             parent_instance;

  /* Template widgets */
  GtkScrolledWindow *scroller;
  GtkLabel          *label;
  GtkListBox        *list;
};

G_DEFINE_FINAL_TYPE (ClmrsVisitReview, clmrs_visit_review, ADW_TYPE_BIN)

enum {
  EDIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A row tapped: the wizard goes back to the screen of its question. */
static void
row_activated_cb (AdwActionRow     *row,
                  ClmrsVisitReview *self)
{
  const char *ref = g_object_get_data (G_OBJECT (row), "ref");

  if (ref != NULL)
    g_signal_emit (self, signals[EDIT], 0, ref);
}

/* A row for the question @ref that goes back to its screen (none when
 * @ref is NULL: the question is on no screen). */
static GtkWidget *
review_row (ClmrsVisitReview *self,
            const char       *title,
            const char       *subtitle,
            const char       *ref)
{
  GtkWidget *row = _clmrs_data_row (title, subtitle);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), ref != NULL);
  if (ref != NULL)
    {
      g_object_set_data_full (G_OBJECT (row), "ref", g_strdup (ref), g_free);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_signal_connect (row, "activated", G_CALLBACK (row_activated_cb), self);
    }
  return row;
}

/* The heading of the answers from @first on: a child by name ("Ama",
 * "Child 2 of 2"), or the section outside the repeats ("Household"). */
static GtkWidget *
review_heading (const ClmrsPrompt *first)
{
  g_autofree char *counted = NULL;
  const char *title;
  GtkWidget *row;

  if (first->repeat != NULL && first->repeat_label != NULL)
    /* Translators: which repeat instance a screen is about, "Child 2 of 3" */
    counted = g_strdup_printf (_("%s %u of %u"), first->repeat_label, first->repeat_position, first->repeat_total);
  if (first->repeat != NULL)
    title = first->repeat_name != NULL ? first->repeat_name : counted;
  else
    title = first->section != NULL ? first->section : _("Household");
  row = _clmrs_data_row (title, first->repeat_name != NULL ? counted : NULL);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "section-row");
  gtk_widget_add_css_class (row, "review-heading");
  return row;
}

guint
clmrs_visit_review_show (ClmrsVisitReview *self,
                         ClmrsFormSession *session)
{
  g_autoptr(GPtrArray) prompts = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GArray) starts = NULL;
  g_autofree char *heading_of = NULL;   /* the repeat instance of the last heading */
  gboolean headed = FALSE;
  gboolean has_repeats = FALSE;

  g_return_val_if_fail (CLMRS_IS_VISIT_REVIEW (self), 0);
  g_return_val_if_fail (session != NULL, 0);

  prompts = clmrs_form_session_get_prompts (session);
  problems = clmrs_form_session_validate (session);
  starts = _clmrs_screen_starts (prompts);
  for (guint i = 0; i < prompts->len && !has_repeats; i++)
    has_repeats = ((ClmrsPrompt *) g_ptr_array_index (prompts, i))->repeat != NULL;
  _clmrs_list_remove_all (self->list);
  for (guint i = 0; i < problems->len; i++)
    {
      ClmrsFormProblem *problem = g_ptr_array_index (problems, i);
      ClmrsPrompt *question = NULL;
      GtkWidget *row;

      /* the question it is about, by its label, when it is on a screen */
      if (_clmrs_find_screen (prompts, starts, problem->node) >= 0)
        for (guint j = 0; j < prompts->len && question == NULL; j++)
          if (g_strcmp0 (((ClmrsPrompt *) g_ptr_array_index (prompts, j))->ref, problem->node) == 0)
            question = g_ptr_array_index (prompts, j);
      row = review_row (self, problem->reason,
                        question && question->label ? question->label : problem->node,
                        question ? question->ref : NULL);
      gtk_widget_add_css_class (row, "problem-row");
      gtk_list_box_append (self->list, row);
    }
  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *p = g_ptr_array_index (prompts, i);
      g_autofree char *value = NULL;
      GtkWidget *row;

      if (p->kind != CLMRS_PROMPT_QUESTION || p->control == CLMRS_CONTROL_TRIGGER)
        continue;
      /* a heading where the answers change from the household to a child
         or from a child to the next: the same questions come again for
         each, and only the heading says whose they are */
      if (has_repeats && (!headed || g_strcmp0 (p->repeat, heading_of) != 0))
        {
          gtk_list_box_append (self->list, review_heading (p));
          g_free (heading_of);
          heading_of = g_strdup (p->repeat);
          headed = TRUE;
        }
      value = p->value && *p->value ? _clmrs_prompt_value_text (p) : NULL;
      row = review_row (self, p->label ? p->label : p->ref, value ? value : "—",
                        _clmrs_find_screen (prompts, starts, p->ref) >= 0 ? p->ref : NULL);
      gtk_widget_add_css_class (row, "property");
      gtk_list_box_append (self->list, row);
    }
  gtk_label_set_label (self->label,
                       problems->len > 0 ? _("Some answers are missing or wrong: go back and correct them.")
                                         : _("Check the answers, then tap Finish."));
  return problems->len;
}

void
clmrs_visit_review_clear (ClmrsVisitReview *self)
{
  g_return_if_fail (CLMRS_IS_VISIT_REVIEW (self));

  _clmrs_list_remove_all (self->list);
}

char *
clmrs_visit_review_dup_text (ClmrsVisitReview *self)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_REVIEW (self), NULL);

  return _clmrs_dup_shown_text (GTK_WIDGET (self->list));
}

static void
clmrs_visit_review_class_init (ClmrsVisitReviewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /**
   * ClmrsVisitReview::edit:
   * @ref: the question whose row was tapped
   */
  signals[EDIT] = g_signal_new ("edit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-visit-review.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitReview, scroller);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitReview, label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitReview, list);
}

static void
clmrs_visit_review_init (ClmrsVisitReview *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
clmrs_visit_review_new (void)
{
  return g_object_new (CLMRS_TYPE_VISIT_REVIEW, NULL);
}
