/* clmrs-visit-wizard.c: a visit, one question (or one small group) a screen, driven by the form engine. */
#define G_LOG_DOMAIN "clmrs-visit-wizard"

#include "config.h"

#include "clmrs-visit-wizard.h"
#include "clmrs-visit-wizard-private.h"
#include "clmrs-i18n.h"
#include "clmrs-media-answer.h"
#include "clmrs-rank-list.h"

#include <glib/gi18n.h>
#include <string.h>

#include "draft.h"
#include "review.h"
#include "catalog.h"
#include "rules.h"

#include "clmrs-labels-private.h"
#include "clmrs-rows-private.h"
#include "util.h"
#include "visit.h"
#include "xform.h"

#include "clmrs-window.h"

/*
 * The form session lives on the main thread (it is memory only: the engine
 * answers in microseconds); every answer is also written to the draft on
 * the database worker, in order, as it is set.  Finalising hands the
 * session to the worker while the wizard shows a spinner and touches
 * nothing, and takes it back with the result.
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
  GtkLabel          *review_label;
  GtkListBox        *review_list;
  GtkBox            *result_box;
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

G_DEFINE_FINAL_TYPE (ClmrsVisitWizard, clmrs_visit_wizard, ADW_TYPE_BIN)

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void show_screen  (ClmrsVisitWizard *self);
static void hide_problem (ClmrsVisitWizard *self);
static void start       (ClmrsVisitWizard        *self,
                         ClmrsDbWorker           *worker,
                         const ClmrsVisitRequest *request,
                         const char              *facilitator_id,
                         const char              *facilitator_name,
                         const char              *facilitator_sex,
                         const char              *language);

/* --- helpers --- */


static void
remove_children (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    {
      if (GTK_IS_LIST_BOX (box))
        gtk_list_box_remove (GTK_LIST_BOX (box), child);
      else
        gtk_box_remove (GTK_BOX (box), child);
    }
}

static void
toast (ClmrsVisitWizard *self,
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
  hide_problem (self);
  adw_status_page_set_description (self->error_status, message);
  gtk_action_bar_set_revealed (self->action_bar, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "error");
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), FALSE);
}

static gboolean
same_screen (const ClmrsPrompt *a,
             const ClmrsPrompt *b)
{
  return a->kind == CLMRS_PROMPT_QUESTION && b->kind == CLMRS_PROMPT_QUESTION &&
         a->screen != NULL && g_strcmp0 (a->screen, b->screen) == 0;
}

/* Indices into @prompts where each screen starts. */
static GArray *
screen_starts (GPtrArray *prompts)
{
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < prompts->len; i++)
    if (i == 0 || !same_screen (g_ptr_array_index (prompts, i - 1), g_ptr_array_index (prompts, i)))
      g_array_append_val (starts, i);
  return starts;
}

static guint
screen_end (GArray    *starts,
            GPtrArray *prompts,
            guint      screen)
{
  return screen + 1 < starts->len ? g_array_index (starts, guint, screen + 1) : prompts->len;
}

/* The screen holding @anchor, or -1. */
static int
find_screen (GPtrArray  *prompts,
             GArray     *starts,
             const char *anchor)
{
  for (guint s = 0; anchor != NULL && s < starts->len; s++)
    for (guint i = g_array_index (starts, guint, s); i < screen_end (starts, prompts, s); i++)
      if (g_strcmp0 (((ClmrsPrompt *) g_ptr_array_index (prompts, i))->ref, anchor) == 0)
        return s;
  return -1;
}

static void
set_anchor (ClmrsVisitWizard *self,
            const char       *ref)
{
  char *copy = g_strdup (ref);

  g_free (self->anchor);
  self->anchor = copy;
}

/* --- autosave on the worker --- */

typedef struct {
  char      *visit_id;
  char      *ref;
  char      *value;
  GPtrArray *values;   /* all of them, after a repeat changed */
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->visit_id);
  g_free (data->ref);
  g_free (data->value);
  g_clear_pointer (&data->values, g_ptr_array_unref);
  g_free (data);
}

static gpointer
save_job (ClmrsStore    *store,
          gpointer       user_data,
          GCancellable  *cancellable,
          GError       **error)
{
  SaveData *data = user_data;
  gboolean ok;

  if (data->values != NULL)
    ok = clmrs_store_draft_save_all (store, data->visit_id, data->values, error);
  else
    ok = clmrs_store_draft_save_answer (store, data->visit_id, data->ref, data->value, error);
  return ok ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
save_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ClmrsVisitWizard) self = user_data;
  g_autoptr(GError) error = NULL;

  clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->n_busy--;
  if (error != NULL)
    {
      g_warning ("Could not save the draft answer: %s", error->message);
      toast (self, _("The answer could not be saved"));
    }
}

static void
save (ClmrsVisitWizard *self,
      const char       *ref,
      const char       *value,
      gboolean          all)
{
  SaveData *data = g_new0 (SaveData, 1);

  self->answered = TRUE;
  data->visit_id = g_strdup (self->visit_id);
  if (all)
    data->values = clmrs_form_session_list_values (self->session);
  else
    {
      data->ref = g_strdup (ref);
      data->value = g_strdup (value);
    }
  self->n_busy++;
  clmrs_db_worker_run_async (self->worker, save_job, data, (GDestroyNotify) save_data_free, NULL,
                             self->cancellable, save_cb, g_object_ref (self));
}

/* --- answers --- */

static void
hide_problem (ClmrsVisitWizard *self)
{
  g_clear_pointer (&self->problem_ref, g_free);
  gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);
}

/* Says in the bar above Next what is wrong, then which question it is
 * about: the question's own message may be below a long list, out of
 * sight, or the question above the fold. */
static void
show_problem (ClmrsVisitWizard *self,
              const char       *ref,
              const char       *message)
{
  GtkWidget *label = g_hash_table_lookup (self->messages, ref);
  const char *question = label != NULL ? g_object_get_data (G_OBJECT (label), "question") : NULL;

  g_free (self->problem_ref);
  self->problem_ref = g_strdup (ref);
  gtk_label_set_label (self->problem_label, message);
  gtk_label_set_label (self->problem_question, question ? question : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_question), question != NULL && *question != '\0');
  gtk_revealer_set_reveal_child (self->problem_revealer, TRUE);
}

static void
set_message (ClmrsVisitWizard *self,
             const char       *ref,
             const char       *message)
{
  GtkLabel *label = g_hash_table_lookup (self->messages, ref);

  if (label == NULL)
    return;
  gtk_label_set_label (label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL && *message != '\0');
  /* corrected: the bar no longer has anything to say */
  if ((message == NULL || *message == '\0') && g_strcmp0 (ref, self->problem_ref) == 0)
    hide_problem (self);
}

/* Whether the questions of the screen shown are still the ones on it. */
static gboolean
screen_is_current (ClmrsVisitWizard *self)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (self->session);
  g_autoptr(GArray) starts = screen_starts (prompts);
  int screen = find_screen (prompts, starts, self->anchor);
  guint first, end;

  if (screen < 0)
    return FALSE;
  first = g_array_index (starts, guint, screen);
  end = screen_end (starts, prompts, screen);
  if (end - first != self->screen_refs->len)
    return FALSE;
  for (guint i = first; i < end; i++)
    if (g_strcmp0 (((ClmrsPrompt *) g_ptr_array_index (prompts, i))->ref,
                   g_ptr_array_index (self->screen_refs, i - first)) != 0)
      return FALSE;
  return TRUE;
}

static GtkWidget *
find_input (GtkWidget  *root,
            const char *ref)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (g_strcmp0 (g_object_get_data (G_OBJECT (child), "ref"), ref) == 0)
        return child;
      if ((found = find_input (child, ref)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
refresh_screen_cb (gpointer user_data)
{
  ClmrsVisitWizard *self = user_data;
  g_autofree char *ref = g_steal_pointer (&self->focus_ref);
  GtkWidget *input;

  self->refresh_source = 0;
  if (self->session == NULL || g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "question") != 0)
    return G_SOURCE_REMOVE;
  show_screen (self);
  /* typing goes on where it was */
  input = ref ? find_input (GTK_WIDGET (self->question_box), ref) : NULL;
  if (input != NULL && GTK_IS_EDITABLE (input))
    {
      gtk_widget_grab_focus (input);
      gtk_editable_set_position (GTK_EDITABLE (input), -1);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
answer (ClmrsVisitWizard *self,
        const char       *ref,
        const char       *value)
{
  g_autoptr(GError) error = NULL;

  if (self->building || self->session == NULL)
    return FALSE;
  if (!clmrs_form_session_set_answer (self->session, ref, value && *value ? value : NULL, &error))
    {
      /* e.g. "12a" for a number: say so, keep nothing */
      set_message (self, ref, _("This answer does not fit the question"));
      g_debug ("answer refused: %s", error->message);
      return FALSE;
    }
  set_message (self, ref, NULL);
  save (self, ref, value && *value ? value : NULL, FALSE);
  /* an answer that shows or hides questions of this screen (in school?
     then which grade) redraws it, after the widget's own signal */
  if (self->refresh_source == 0 && !screen_is_current (self))
    {
      g_free (self->focus_ref);
      self->focus_ref = g_strdup (ref);
      self->refresh_source = g_idle_add (refresh_screen_cb, self);
    }
  return TRUE;
}

/* A ranking reordered, or its order kept: the answer. */
static void
rank_changed_cb (ClmrsRankList    *list,
                 const char       *order,
                 ClmrsVisitWizard *self)
{
  answer (self, g_object_get_data (G_OBJECT (list), "ref"), order);
}

static void
acknowledge_toggled_cb (GtkCheckButton   *check,
                        ClmrsVisitWizard *self)
{
  /* ODK's acknowledgement: "OK" once acknowledged, empty again when not */
  answer (self, g_object_get_data (G_OBJECT (check), "ref"), gtk_check_button_get_active (check) ? "OK" : NULL);
}

/* A trigger (XLSForm's acknowledge): one check row, "OK". */
static GtkWidget *
acknowledge_row (ClmrsVisitWizard  *self,
                 const ClmrsPrompt *prompt,
                 GtkWidget         *question)
{
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("OK"));
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_strcmp0 (prompt->value, "OK") == 0);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_RELATION_LABELLED_BY, question, NULL, -1);
  g_object_set_data_full (G_OBJECT (check), "ref", g_strdup (prompt->ref), g_free);
  g_signal_connect (check, "toggled", G_CALLBACK (acknowledge_toggled_cb), self);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  gtk_widget_add_css_class (row, "choice-row");
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  return list;
}

/* A photo or a signature is kept in the store: its name is the answer. */
static void
media_attached_cb (ClmrsMediaAnswer *media,
                   const char       *name,
                   ClmrsVisitWizard *self)
{
  answer (self, g_object_get_data (G_OBJECT (media), "ref"), name);
}

static void
entry_changed_cb (GtkEditable      *entry,
                  ClmrsVisitWizard *self)
{
  const char *ref = g_object_get_data (G_OBJECT (entry), "ref");
  const char *number = g_object_get_data (G_OBJECT (entry), "number-message");
  const char *text = gtk_editable_get_text (entry);

  if (self->building || self->session == NULL)
    return;
  if (answer (self, ref, text) || number == NULL)
    {
      g_hash_table_remove (self->typed, ref);
      return;
    }
  /* letters in a number: say what is wrong, keep what was typed */
  g_hash_table_insert (self->typed, g_strdup (ref), g_strdup (text));
  set_message (self, ref, number);
}

static void
choice_toggled_cb (GtkCheckButton   *check,
                   ClmrsVisitWizard *self)
{
  GtkWidget *list = g_object_get_data (G_OBJECT (check), "list");
  const char *ref = g_object_get_data (G_OBJECT (list), "ref");
  gboolean multiple = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (list), "multiple"));
  g_autoptr(GString) value = g_string_new (NULL);
  GPtrArray *checks = g_object_get_data (G_OBJECT (list), "checks");

  if (self->building)
    return;
  if (!multiple && !gtk_check_button_get_active (check))
    return;
  for (guint i = 0; i < checks->len; i++)
    {
      GtkCheckButton *c = g_ptr_array_index (checks, i);

      if (gtk_check_button_get_active (c))
        {
          if (value->len)
            g_string_append_c (value, ' ');
          g_string_append (value, g_object_get_data (G_OBJECT (c), "value"));
        }
    }
  answer (self, ref, value->str);
}

static void
day_selected_cb (GtkCalendar      *calendar,
                 ClmrsVisitWizard *self)
{
  GtkMenuButton *button = g_object_get_data (G_OBJECT (calendar), "button");
  g_autoptr(GDateTime) date = gtk_calendar_get_date (calendar);
  g_autofree char *value = g_date_time_format (date, "%Y-%m-%d");
  g_autofree char *shown = clmrs_i18n_format_day (value);

  if (self->building)
    return;
  gtk_menu_button_set_label (button, shown);
  gtk_menu_button_popdown (button);
  answer (self, g_object_get_data (G_OBJECT (calendar), "ref"), value);
}

/* --- building a screen --- */

static GtkWidget *
choice_list (ClmrsVisitWizard  *self,
             const ClmrsPrompt *prompt)
{
  GtkWidget *list = gtk_list_box_new ();
  GPtrArray *checks = g_ptr_array_new ();
  gboolean multiple = prompt->control == CLMRS_CONTROL_SELECT;
  g_auto(GStrv) chosen = g_strsplit (prompt->value ? prompt->value : "", " ", -1);
  GtkCheckButton *group = NULL;

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  g_object_set_data_full (G_OBJECT (list), "ref", g_strdup (prompt->ref), g_free);
  g_object_set_data (G_OBJECT (list), "multiple", GINT_TO_POINTER (multiple));
  g_object_set_data_full (G_OBJECT (list), "checks", checks, (GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; prompt->choices != NULL && i < prompt->choices->len; i++)
    {
      ClmrsChoice *choice = g_ptr_array_index (prompt->choices, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), choice->label ? choice->label : choice->value);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      if (!multiple)
        {
          if (group == NULL)
            group = GTK_CHECK_BUTTON (check);
          else
            gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
        }
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_strv_contains ((const char * const *) chosen, choice->value));
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      choice->label ? choice->label : choice->value, -1);
      g_object_set_data_full (G_OBJECT (check), "value", g_strdup (choice->value), g_free);
      g_object_set_data (G_OBJECT (check), "list", list);
      g_signal_connect (check, "toggled", G_CALLBACK (choice_toggled_cb), self);
      g_ptr_array_add (checks, check);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_widget_add_css_class (row, "choice-row");
      gtk_widget_set_sensitive (row, !prompt->readonly);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  return list;
}

static GtkWidget *
date_button (ClmrsVisitWizard  *self,
             const ClmrsPrompt *prompt,
             GtkWidget         *question)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *calendar = gtk_calendar_new ();
  GDate date;

  if (prompt->value != NULL)
    {
      g_autofree char *shown = clmrs_i18n_format_day (prompt->value);

      gtk_menu_button_set_label (GTK_MENU_BUTTON (button), shown);
    }
  else
    gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("Choose a date"));
  gtk_widget_set_size_request (button, -1, 52);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (calendar), GTK_ACCESSIBLE_RELATION_LABELLED_BY, question, NULL, -1);
  if (prompt->value != NULL && clmrs_date_parse (prompt->value, &date))
    {
      g_autoptr(GDateTime) when = g_date_time_new_utc (g_date_get_year (&date), g_date_get_month (&date),
                                                       g_date_get_day (&date), 0, 0, 0);

      gtk_calendar_select_day (GTK_CALENDAR (calendar), when);
    }
  g_object_set_data_full (G_OBJECT (calendar), "ref", g_strdup (prompt->ref), g_free);
  g_object_set_data (G_OBJECT (calendar), "button", button);
  g_signal_connect (calendar, "day-selected", G_CALLBACK (day_selected_cb), self);
  gtk_popover_set_child (GTK_POPOVER (popover), calendar);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  return button;
}

static GtkWidget *
text_entry (ClmrsVisitWizard  *self,
            const ClmrsPrompt *prompt)
{
  GtkWidget *entry = gtk_entry_new ();

  const char *typed = g_hash_table_lookup (self->typed, prompt->ref);

  gtk_editable_set_text (GTK_EDITABLE (entry), typed ? typed : prompt->value ? prompt->value : "");
  gtk_widget_set_size_request (entry, -1, 52);
  gtk_widget_add_css_class (entry, "answer-entry");
  if (prompt->type == CLMRS_TYPE_INT)
    {
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_DIGITS);
      g_object_set_data (G_OBJECT (entry), "number-message", (gpointer) _("Type a whole number"));
    }
  else if (prompt->type == CLMRS_TYPE_DECIMAL)
    {
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_NUMBER);
      g_object_set_data (G_OBJECT (entry), "number-message", (gpointer) _("Type a number"));
    }
  else if (prompt->type == CLMRS_TYPE_GEOTRACE || prompt->type == CLMRS_TYPE_GEOSHAPE)
    {
      /* no map on the handheld: the points are typed, as a GPS reader shows them */
      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "5.3364 -4.0267; 5.3371 -4.0262");
      g_object_set_data (G_OBJECT (entry), "number-message",
                         (gpointer) (prompt->type == CLMRS_TYPE_GEOTRACE
                                     ? _("Type at least 2 points, each as latitude and longitude, separated by ;")
                                     : _("Type at least 3 points, each as latitude and longitude, separated by ; "
                                         "and end with the first point again")));
    }
  g_object_set_data_full (G_OBJECT (entry), "ref", g_strdup (prompt->ref), g_free);
  g_signal_connect (entry, "changed", G_CALLBACK (entry_changed_cb), self);
  return entry;
}

static void
add_repeat_clicked_cb (GtkButton        *button,
                       ClmrsVisitWizard *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "ref");
  g_autoptr(GError) error = NULL;
  g_autofree char *instance = clmrs_form_session_add_repeat (self->session, path, &error);
  g_autoptr(GPtrArray) prompts = NULL;

  if (instance == NULL)
    {
      toast (self, error->message);
      return;
    }
  save (self, NULL, NULL, TRUE);
  /* go to the first question of the new instance */
  prompts = clmrs_form_session_get_prompts (self->session);
  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *p = g_ptr_array_index (prompts, i);

      if (p->repeat != NULL && g_str_equal (p->repeat, instance))
        {
          set_anchor (self, p->ref);
          break;
        }
    }
  show_screen (self);
}

/* --- the roster: the instances of a repeat, by name --- */

/* Goes to the first screen of the instance @instance_ref. */
static void
edit_instance (ClmrsVisitWizard *self,
               const char       *instance_ref)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (self->session);

  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *p = g_ptr_array_index (prompts, i);

      if (g_strcmp0 (p->repeat, instance_ref) == 0)
        {
          set_anchor (self, p->ref);
          show_screen (self);
          return;
        }
    }
}

static void
edit_instance_clicked_cb (GtkButton        *button,
                          ClmrsVisitWizard *self)
{
  g_autofree char *instance = g_strdup (g_object_get_data (G_OBJECT (button), "instance"));

  if (self->session != NULL)
    edit_instance (self, instance);
}

static void
remove_instance_response_cb (AdwMessageDialog *dialog,
                             const char       *response,
                             ClmrsVisitWizard *self)
{
  const char *instance = g_object_get_data (G_OBJECT (dialog), "instance");
  const char *roster = g_object_get_data (G_OBJECT (dialog), "roster");
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "remove") || self->session == NULL)
    return;
  if (!clmrs_form_session_remove_repeat (self->session, instance, &error))
    {
      toast (self, error->message);
      return;
    }
  save (self, NULL, NULL, TRUE);
  /* the roster again, one name shorter */
  set_anchor (self, roster);
  show_screen (self);
}

/* Asks before removing a child: their answers in this visit go with them. */
static void
remove_instance_clicked_cb (GtkButton        *button,
                            ClmrsVisitWizard *self)
{
  GtkWidget *dialog;
  const char *name = g_object_get_data (G_OBJECT (button), "name");
  g_autofree char *heading = NULL;

  /* Translators: asked before removing a child from the visit, "Remove Ama?" */
  heading = g_strdup_printf (_("Remove %s?"), name);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading,
                                   _("Their answers in this visit are removed with them."));
  adw_message_dialog_set_heading_use_markup (ADW_MESSAGE_DIALOG (dialog), FALSE);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "instance", g_strdup (g_object_get_data (G_OBJECT (button), "instance")), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "roster", g_strdup (g_object_get_data (G_OBJECT (button), "roster")), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_instance_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* "Female · 9 years", what is known of an instance besides its name. */
static char *
instance_details (const ClmrsRepeatInstance *instance)
{
  g_autofree char *age = NULL;

  if (instance->age != NULL)
    {
      int years = atoi (instance->age);

      age = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", years), years);
    }
  if (instance->sex != NULL && age != NULL)
    /* Translators: two parts of a line, "Child 2 of 3 · School", "Female · 9 years" */
    return g_strdup_printf (_("%s · %s"), instance->sex, age);
  if (age != NULL)
    return g_steal_pointer (&age);
  return g_strdup (instance->sex);
}

static GtkWidget *
roster_button (ClmrsVisitWizard          *self,
               const char                *icon,
               const char                *a11y,
               const char                *tooltip,
               const ClmrsRepeatInstance *instance,
               const char                *name,
               const char                *roster,
               GCallback                  callback)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (button, 48, 48);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  g_object_set_data_full (G_OBJECT (button), "instance", g_strdup (instance->ref), g_free);
  g_object_set_data_full (G_OBJECT (button), "name", g_strdup (name), g_free);
  g_object_set_data_full (G_OBJECT (button), "roster", g_strdup (roster), g_free);
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

/* The instances of the repeat @prompt adds to, one row each with its
 * name, sex and age, to edit or remove; NULL while there is none. */
static GtkWidget *
roster_list (ClmrsVisitWizard  *self,
             const ClmrsPrompt *prompt)
{
  g_autoptr(GPtrArray) instances = clmrs_form_session_list_repeat_instances (self->session, prompt->ref);
  GtkWidget *list;

  if (instances->len == 0)
    return NULL;
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_widget_add_css_class (list, "roster");
  for (guint i = 0; i < instances->len; i++)
    {
      ClmrsRepeatInstance *instance = g_ptr_array_index (instances, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *fallback = NULL;
      g_autofree char *details = instance_details (instance);
      g_autofree char *edit = NULL;
      g_autofree char *remove = NULL;
      const char *name;

      if (instance->name == NULL)
        /* Translators: a child (any repeat instance) not named yet, "Child 3" */
        fallback = g_strdup_printf (_("%s %u"), prompt->label, instance->position);
      name = instance->name != NULL ? instance->name : fallback;
      /* Translators: accessible name of a button, "Edit Ama" */
      edit = g_strdup_printf (_("Edit %s"), name);
      /* Translators: accessible name of a button, "Remove Ama" */
      remove = g_strdup_printf (_("Remove %s"), name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      if (details != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), details);
      gtk_widget_add_css_class (row, "roster-row");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 roster_button (self, "document-edit-symbolic", edit, _("Edit"), instance, name,
                                                prompt->ref, G_CALLBACK (edit_instance_clicked_cb)));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 roster_button (self, "user-trash-symbolic", remove, _("Remove"), instance, name,
                                                prompt->ref, G_CALLBACK (remove_instance_clicked_cb)));
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  return list;
}

static void
add_prompt (ClmrsVisitWizard  *self,
            const ClmrsPrompt *prompt,
            gboolean           alone)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *label = gtk_label_new (prompt->label ? prompt->label : prompt->ref);
  GtkWidget *message = gtk_label_new (NULL);
  GtkWidget *hint = NULL;
  GtkWidget *input = NULL;

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, alone ? "title-2" : "title-4");
  gtk_box_append (GTK_BOX (box), label);
  if (prompt->hint != NULL)
    {
      hint = gtk_label_new (prompt->hint);
      gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
      gtk_label_set_xalign (GTK_LABEL (hint), 0);
      gtk_widget_add_css_class (hint, "dim-label");
      gtk_box_append (GTK_BOX (box), hint);
    }

  /* what is wrong goes under the question, above its answers: below a
     list of twenty tasks it would be out of sight */
  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_label_set_xalign (GTK_LABEL (message), 0);
  gtk_widget_add_css_class (message, "error");
  gtk_widget_add_css_class (message, "heading");
  gtk_widget_set_visible (message, FALSE);
  g_object_set_data_full (G_OBJECT (message), "question", g_strdup (prompt->label ? prompt->label : prompt->ref), g_free);
  gtk_box_append (GTK_BOX (box), message);

  if (prompt->kind == CLMRS_PROMPT_REPEAT_ADD)
    {
      GtkWidget *roster = roster_list (self, prompt);

      /* who is entered already, above the button to add one more */
      if (roster != NULL)
        gtk_box_append (GTK_BOX (box), roster);
      input = gtk_button_new_with_label (_("Add"));
      gtk_widget_add_css_class (input, "pill");
      gtk_widget_add_css_class (input, "suggested-action");
      gtk_widget_set_halign (input, GTK_ALIGN_START);
      gtk_widget_set_size_request (input, 160, 52);
      gtk_accessible_update_property (GTK_ACCESSIBLE (input), GTK_ACCESSIBLE_PROPERTY_LABEL, prompt->label, -1);
      g_object_set_data_full (G_OBJECT (input), "ref", g_strdup (prompt->ref), g_free);
      g_signal_connect (input, "clicked", G_CALLBACK (add_repeat_clicked_cb), self);
    }
  else if (prompt->control == CLMRS_CONTROL_TRIGGER && !prompt->readonly)
    input = acknowledge_row (self, prompt, label);
  else if (prompt->control == CLMRS_CONTROL_RANK)
    {
      input = clmrs_rank_list_new (prompt);
      g_signal_connect (input, "changed", G_CALLBACK (rank_changed_cb), self);
    }
  else if (prompt->readonly || prompt->control == CLMRS_CONTROL_TRIGGER)
    {
      if (prompt->value != NULL)
        {
          input = gtk_label_new (prompt->value);
          gtk_label_set_xalign (GTK_LABEL (input), 0);
          gtk_widget_add_css_class (input, "title-3");
        }
    }
  else if (prompt->control == CLMRS_CONTROL_SELECT1 || prompt->control == CLMRS_CONTROL_SELECT)
    input = choice_list (self, prompt);
  else if (prompt->control == CLMRS_CONTROL_UPLOAD)
    {
      input = clmrs_media_answer_new (self->worker, self->visit_id, prompt);
      g_signal_connect (input, "attached", G_CALLBACK (media_attached_cb), self);
    }
  else if (prompt->type == CLMRS_TYPE_DATE)
    input = date_button (self, prompt, label);
  else if (prompt->type == CLMRS_TYPE_GEOPOINT)
    {
      /* nobody types coordinates: without a GPS reader the place stays empty */
      input = gtk_label_new (prompt->required ? _("This device cannot read the location. Ask your supervisor.")
                                              : _("This device cannot read the location: go to the next question."));
      gtk_label_set_wrap (GTK_LABEL (input), TRUE);
      gtk_label_set_xalign (GTK_LABEL (input), 0);
      gtk_widget_add_css_class (input, "dim-label");
    }
  else
    input = text_entry (self, prompt);
  if (input != NULL)
    gtk_box_append (GTK_BOX (box), input);
  /* a screen reader says the question as shown (its ref when it has no
   * label) on the answer's entry, date button or list, then the hint */
  if (input != NULL && !GTK_IS_LABEL (input) && prompt->kind != CLMRS_PROMPT_REPEAT_ADD)
    {
      gtk_accessible_update_relation (GTK_ACCESSIBLE (input), GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
      if (hint != NULL)
        gtk_accessible_update_relation (GTK_ACCESSIBLE (input), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, hint, NULL, -1);
    }

  g_hash_table_insert (self->messages, g_strdup (prompt->ref), message);
  g_ptr_array_add (self->screen_refs, g_strdup (prompt->ref));

  gtk_box_append (self->question_box, box);
}

/* A review row tapped: back to the screen of its question. */
static void
review_row_activated_cb (AdwActionRow     *row,
                         ClmrsVisitWizard *self)
{
  const char *ref = g_object_get_data (G_OBJECT (row), "ref");

  if (ref == NULL || self->session == NULL)
    return;
  set_anchor (self, ref);
  self->from_review = TRUE;
  show_screen (self);
}

/* A review row for the question @ref that goes back to its screen. */
static GtkWidget *
review_row (ClmrsVisitWizard *self,
            const char       *title,
            const char       *subtitle,
            const char       *ref)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), ref != NULL);
  if (ref != NULL)
    {
      g_object_set_data_full (G_OBJECT (row), "ref", g_strdup (ref), g_free);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_signal_connect (row, "activated", G_CALLBACK (review_row_activated_cb), self);
    }
  return row;
}

/* The heading of the review's answers from @first on: a child by name
 * ("Ama", "Child 2 of 2"), or the section outside the repeats
 * ("Household"). */
static GtkWidget *
review_heading (ClmrsVisitWizard  *self,
                const ClmrsPrompt *first)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *counted = NULL;
  const char *title;

  if (first->repeat != NULL && first->repeat_label != NULL)
    /* Translators: which repeat instance a screen is about, "Child 2 of 3" */
    counted = g_strdup_printf (_("%s %u of %u"), first->repeat_label, first->repeat_position, first->repeat_total);
  if (first->repeat != NULL)
    title = first->repeat_name != NULL ? first->repeat_name : counted;
  else
    title = first->section != NULL ? first->section : _("Household");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title ? title : "");
  if (first->repeat_name != NULL && counted != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), counted);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "section-row");
  gtk_widget_add_css_class (row, "review-heading");
  return row;
}

static void
show_review (ClmrsVisitWizard *self)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (self->session);
  g_autoptr(GPtrArray) problems = clmrs_form_session_validate (self->session);
  g_autoptr(GArray) starts = screen_starts (prompts);
  g_autofree char *heading_of = NULL;   /* the repeat instance of the last heading */
  gboolean headed = FALSE;
  gboolean has_repeats = FALSE;

  self->from_review = FALSE;
  for (guint i = 0; i < prompts->len && !has_repeats; i++)
    has_repeats = ((ClmrsPrompt *) g_ptr_array_index (prompts, i))->repeat != NULL;
  hide_problem (self);
  remove_children (GTK_WIDGET (self->review_list));
  for (guint i = 0; i < problems->len; i++)
    {
      ClmrsFormProblem *problem = g_ptr_array_index (problems, i);
      ClmrsPrompt *question = NULL;
      GtkWidget *row;

      /* the question it is about, by its label, when it is on a screen */
      if (find_screen (prompts, starts, problem->node) >= 0)
        for (guint j = 0; j < prompts->len && question == NULL; j++)
          if (g_strcmp0 (((ClmrsPrompt *) g_ptr_array_index (prompts, j))->ref, problem->node) == 0)
            question = g_ptr_array_index (prompts, j);
      row = review_row (self, problem->reason,
                        question && question->label ? question->label : problem->node,
                        question ? question->ref : NULL);
      gtk_widget_add_css_class (row, "problem-row");
      gtk_list_box_append (self->review_list, row);
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
          gtk_list_box_append (self->review_list, review_heading (self, p));
          g_free (heading_of);
          heading_of = g_strdup (p->repeat);
          headed = TRUE;
        }
      value = p->value && *p->value ? _clmrs_prompt_value_text (p) : NULL;
      row = review_row (self, p->label ? p->label : p->ref, value ? value : "—",
                        find_screen (prompts, starts, p->ref) >= 0 ? p->ref : NULL);
      gtk_widget_add_css_class (row, "property");
      gtk_list_box_append (self->review_list, row);
    }
  gtk_label_set_label (self->review_label,
                       problems->len > 0 ? _("Some answers are missing or wrong: go back and correct them.")
                                         : _("Check the answers, then tap Finish."));
  gtk_button_set_label (self->next_button, _("_Finish"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), problems->len == 0);
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

/* Where @prompt is, for the heading: "Child 2 of 3 · Ama · School",
 * "Household"; the name once it is given, so that a facilitator with
 * three children to ask about knows which one the questions are about. */
static char *
place_of (const ClmrsPrompt *prompt)
{
  g_autofree char *instance = NULL;

  if (prompt->repeat_label != NULL && prompt->repeat_position > 0)
    /* Translators: which repeat instance a screen is about, "Child 2 of 3" */
    instance = g_strdup_printf (_("%s %u of %u"), prompt->repeat_label,
                                prompt->repeat_position, prompt->repeat_total);
  if (instance != NULL && prompt->repeat_name != NULL)
    {
      g_autofree char *counted = g_steal_pointer (&instance);

      instance = g_strdup_printf (_("%s · %s"), counted, prompt->repeat_name);
    }
  if (instance != NULL && prompt->section != NULL)
    /* Translators: a repeat instance and its section, "Child 2 of 3 · School" */
    return g_strdup_printf (_("%s · %s"), instance, prompt->section);
  if (instance != NULL)
    return g_steal_pointer (&instance);
  return g_strdup (prompt->section ? prompt->section : "");
}

/* How far along the screen starting with @ref is, measured on every screen
 * the form could still show: the screens visible so far would put the
 * consent question near the end, as nothing after it is relevant yet. */
static double
progress_of (ClmrsVisitWizard *self,
             const char       *ref)
{
  g_autoptr(GPtrArray) outline = clmrs_form_session_get_outline (self->session);
  g_autoptr(GArray) starts = screen_starts (outline);
  int screen = find_screen (outline, starts, ref);

  return screen < 0 ? 0.0 : (double) (screen + 1) / (starts->len + 1);
}

static void
show_screen (ClmrsVisitWizard *self)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (self->session);
  g_autoptr(GArray) starts = screen_starts (prompts);
  g_autofree char *subtitle = NULL;
  int screen = find_screen (prompts, starts, self->anchor);
  guint end;
  ClmrsPrompt *first;

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (starts->len == 0)
    {
      show_review (self);
      return;
    }
  if (screen < 0)
    screen = 0;
  self->building = TRUE;
  hide_problem (self);
  remove_children (GTK_WIDGET (self->question_box));
  g_hash_table_remove_all (self->messages);
  g_ptr_array_set_size (self->screen_refs, 0);

  first = g_ptr_array_index (prompts, g_array_index (starts, guint, screen));
  set_anchor (self, first->ref);
  end = screen_end (starts, prompts, screen);
  /* where the screen is, above its questions: in full, where the header's
     subtitle would be cut at 360 px ("Child 2 of 3 · Other questions…") */
  subtitle = place_of (first);
  if (*subtitle != '\0')
    {
      GtkWidget *place = gtk_label_new (subtitle);

      gtk_label_set_wrap (GTK_LABEL (place), TRUE);
      gtk_label_set_xalign (GTK_LABEL (place), 0);
      gtk_widget_add_css_class (place, "place");
      gtk_widget_add_css_class (place, "heading");
      gtk_widget_add_css_class (place, "dim-label");
      gtk_box_append (self->question_box, place);
    }
  for (guint i = g_array_index (starts, guint, screen); i < end; i++)
    add_prompt (self, g_ptr_array_index (prompts, i), end - g_array_index (starts, guint, screen) == 1);

  /* a child (or any repeat instance) can be taken out again */
  if (first->kind == CLMRS_PROMPT_QUESTION && first->repeat != NULL)
    {
      GtkWidget *remove = gtk_button_new_with_label (_("Remove This One"));

      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_add_css_class (remove, "remove-repeat");
      gtk_widget_set_halign (remove, GTK_ALIGN_END);
      gtk_widget_set_size_request (remove, -1, 48);
      gtk_widget_set_margin_top (remove, 24);
      g_autofree char *counted = g_strdup_printf (_("%s %u"), first->repeat_label ? first->repeat_label : "",
                                                  first->repeat_position);

      /* asked first, as from the roster: the child's answers go too */
      g_object_set_data_full (G_OBJECT (remove), "instance", g_strdup (first->repeat), g_free);
      g_object_set_data_full (G_OBJECT (remove), "name", g_strdup (first->repeat_name ? first->repeat_name : counted), g_free);
      g_object_set_data_full (G_OBJECT (remove), "roster", g_strndup (first->repeat, strrchr (first->repeat, '[') - first->repeat), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (remove_instance_clicked_cb), self);
      gtk_box_append (self->question_box, remove);
    }
  self->building = FALSE;
  /* typed text is kept only while its question is on the screen */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, self->typed);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (!g_ptr_array_find_with_equal_func (self->screen_refs, key, g_str_equal, NULL))
        g_hash_table_iter_remove (&iter);
  }

  adw_window_title_set_subtitle (self->title, self->about ? self->about : "");
  gtk_progress_bar_set_fraction (self->progress, progress_of (self, first->ref));
  /* a correction made from the review goes straight back to it: the
     review lists anything the change made missing */
  gtk_button_set_label (self->next_button, self->from_review ? _("Back to _Review") : _("_Next"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), screen > 0);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->question_scroller), 0);
  gtk_action_bar_set_revealed (self->action_bar, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "question");
}

/* --- finalising --- */

typedef struct {
  ClmrsFormSession    *session;   /* lent to the worker */
  char                *visit_id;
  char                *country;
  ClmrsCaseConfig      case_config;
  ClmrsFinaliseResult *result;
} FinaliseData;

static void
finalise_data_free (FinaliseData *data)
{
  /* the session goes back to the wizard in the callback */
  g_free (data->visit_id);
  g_free (data->country);
  g_clear_pointer (&data->result, clmrs_finalise_result_free);
  g_free (data);
}

static gpointer
finalise_job (ClmrsStore    *store,
              gpointer       user_data,
              GCancellable  *cancellable,
              GError       **error)
{
  FinaliseData *data = user_data;
  g_autoptr(ClmrsRuleSet) rules = NULL;

  /* the newest rule set of the country on the device (built in or published) */
  rules = clmrs_catalog_rules_for_country (store, data->country, error);
  if (rules == NULL)
    return NULL;
  if (!clmrs_visit_finalise_full (store, data->visit_id, data->session, rules, NULL, &data->case_config,
                                  &data->result, error))
    return NULL;
  return data;
}

static void
done_clicked_cb (ClmrsVisitWizard *self)
{
  g_signal_emit (self, signals[DONE], 0, TRUE);
}

static void show_result (ClmrsVisitWizard *self, ClmrsFinaliseResult *result);

static gboolean
is_support_form (ClmrsVisitWizard *self)
{
  return g_strcmp0 (self->form_id, "support_record") == 0;
}

static void
support_clicked_cb (GtkButton        *button,
                    ClmrsVisitWizard *self)
{
  ClmrsVisitRequest request = { 0 };
  g_autofree char *facilitator_id = g_strdup (self->facilitator_id);
  g_autofree char *facilitator_name = g_strdup (self->facilitator_name);
  g_autofree char *facilitator_sex = g_strdup (self->facilitator_sex);
  g_autofree char *language = g_strdup (self->language);
  g_autofree char *household_id = g_strdup (self->visit_result->household_id);
  g_autofree char *child_id = g_strdup (g_object_get_data (G_OBJECT (button), "child-id"));
  g_autofree char *type = g_strdup (g_object_get_data (G_OBJECT (button), "type"));

  request.form_id = "support_record";
  request.household_id = household_id;
  request.child_id = child_id;
  request.support_type = type;
  start (self, self->worker, &request, facilitator_id, facilitator_name, facilitator_sex, language);
  /* every screen of the support form says which support, for whom */
  g_free (self->about);
  /* Translators: "SUPPORT · CHILD", e.g. "School kit · Kouadio" */
  self->about = g_strdup_printf (_("%s · %s"), _clmrs_support_label (type),
                                 (const char *) g_object_get_data (G_OBJECT (button), "child-name"));
}

/* The visit's own page again, as it was, with the supports since given:
 * the wizard now holds the support form, so the visit's words are kept. */
static void
back_to_visit_cb (ClmrsVisitWizard *self)
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

static GtkWidget *
result_button (const char *label,
               gboolean    suggested)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_add_css_class (button, "pill");
  if (suggested)
    gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (button, 220, 52);
  return button;
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
  const char *country = result == self->visit_result && self->visit_prompts != NULL ? self->visit_country : self->country;
  GtkWidget *heading;
  GtkWidget *done;

  hide_problem (self);
  remove_children (GTK_WIDGET (self->result_box));
  if (support)
    heading = gtk_label_new (_("The support is recorded"));
  else if (!about_children && g_str_equal (kind, "awareness"))
    heading = gtk_label_new (_("The awareness session is saved"));
  /* not "The visit is saved · No child was assessed in this visit." */
  else if (g_str_equal (kind, "closure"))
    heading = gtk_label_new (_("The case is closed"));
  else
    heading = gtk_label_new (_("The visit is saved"));
  gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
  gtk_label_set_justify (GTK_LABEL (heading), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (heading, "title-1");
  gtk_box_append (self->result_box, heading);
  if (about_children && !support && result->children->len == 0)
    {
      GtkWidget *none = gtk_label_new (_("No child was assessed in this visit."));

      gtk_label_set_wrap (GTK_LABEL (none), TRUE);
      gtk_box_append (self->result_box, none);
    }
  for (guint i = 0; about_children && !support && i < result->children->len; i++)
    {
      ClmrsChildOutcome *child = g_ptr_array_index (result->children, i);
      GtkWidget *group = adw_preferences_group_new ();
      GtkWidget *status = adw_action_row_new ();
      g_autofree char *title = NULL;
      g_autofree char *age = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", child->age), child->age);
      JsonArray *reasons = child->reasons && JSON_NODE_HOLDS_ARRAY (child->reasons)
                           ? json_node_get_array (child->reasons) : NULL;

      /* Translators: "NAME, AGE" of a child */
      title = g_strdup_printf (_("%s, %s"), child->name ? child->name : "", age);
      /* group titles are markup in libadwaita 1.2 */
      {
        g_autofree char *escaped = g_markup_escape_text (title, -1);

        adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), escaped);
      }
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (status), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (status), _clmrs_status_label (child->status));
      gtk_widget_add_css_class (status, clmrs_status_is_child_labour (child->status) ? "status-cl" : "status-ok");
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), status);
      for (guint j = 0; reasons != NULL && j < json_array_get_length (reasons); j++)
        {
          JsonObject *reason = json_array_get_object_element (reasons, j);
          const char *item = reason ? json_object_get_string_member_with_default (reason, "item", NULL) : NULL;
          g_autofree char *text = reason ? _clmrs_reason_text (reason, _clmrs_choice_label (prompts, item)) : NULL;
          GtkWidget *row = adw_action_row_new ();

          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text ? text : "");
          adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 4);
          adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("dialog-information-symbolic"));
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
        }
      for (guint j = 0; child->suggestions != NULL && child->suggestions[j] != NULL; j++)
        {
          const char *type = child->suggestions[j];
          const char *level = clmrs_support_type_level (type);
          g_autofree char *key = g_strdup_printf ("%s %s", child->child_id, type);
          gboolean given = self->given != NULL && g_hash_table_contains (self->given, key);
          GtkWidget *row = adw_action_row_new ();

          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _clmrs_support_label (type));
          adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), given ? _("Given today") : _("Suggested support"));
          adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                     gtk_image_new_from_icon_name (given ? "object-select-symbolic" : "list-add-symbolic"));
          /* support for the child or the household can be recorded now;
             community support is planned with the cooperative */
          if (!given && self->visit_result == result && result->household_id != NULL && level != NULL &&
              !g_str_equal (level, "community"))
            {
              GtkWidget *button = gtk_button_new_with_mnemonic (_("_Given Now"));
              g_autofree char *a11y = NULL;

              /* Translators: accessible name of the button, "Record SUPPORT as given to CHILD" */
              a11y = g_strdup_printf (_("Record %s as given to %s"), _clmrs_support_label (type), child->name ? child->name : "");
              gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
              /* a long translation goes on two lines rather than squeezing the support's name */
              gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), TRUE);
              gtk_label_set_width_chars (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), 10);
              gtk_label_set_max_width_chars (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), 12);
              gtk_label_set_justify (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), GTK_JUSTIFY_CENTER);
              gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
              gtk_widget_set_size_request (button, -1, 48);
              gtk_widget_add_css_class (button, "support-given");
              g_object_set_data_full (G_OBJECT (button), "child-id", g_strdup (child->child_id), g_free);
              g_object_set_data_full (G_OBJECT (button), "child-name", g_strdup (child->name ? child->name : ""), g_free);
              g_object_set_data_full (G_OBJECT (button), "type", g_strdup (type), g_free);
              g_signal_connect (button, "clicked", G_CALLBACK (support_clicked_cb), self);
              adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
            }
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
        }
      gtk_box_append (self->result_box, group);
    }
  if (about_children && !support && result->children->len > 0)
    {
      g_autofree char *rules = _clmrs_rules_text (country);

      if (rules != NULL)
        {
          GtkWidget *label = gtk_label_new (rules);

          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_widget_add_css_class (label, "caption");
          gtk_widget_add_css_class (label, "dim-label");
          gtk_box_append (self->result_box, label);
        }
    }
  if (support && self->visit_result != NULL)
    {
      GtkWidget *back = result_button (_("_Back to the Children"), TRUE);

      g_signal_connect_swapped (back, "clicked", G_CALLBACK (back_to_visit_cb), self);
      gtk_box_append (self->result_box, back);
    }
  done = result_button (_("_Done"), !(support && self->visit_result != NULL));
  g_signal_connect_swapped (done, "clicked", G_CALLBACK (done_clicked_cb), self);
  gtk_box_append (self->result_box, done);

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
  FinaliseData *data;

  data = clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error);
  /* the session comes back whatever happened */
  if (self->visit_id == NULL)
    {
      /* stopped (signed out) meanwhile: nobody wants it */
      clmrs_form_session_free (session);
      return;
    }
  self->session = session;
  self->n_busy--;
  if (data == NULL)
    {
      toast (self, error->message);
      show_review (self);
      return;
    }
  outcome = g_steal_pointer (&data->result);
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
  FinaliseData *data = g_new0 (FinaliseData, 1);

  self->lent_session = g_steal_pointer (&self->session);
  data->session = self->lent_session;
  data->visit_id = g_strdup (self->visit_id);
  data->country = g_strdup (self->country);
  clmrs_db_worker_get_case_config (self->worker, &data->case_config);
  self->n_busy++;
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "busy");
  /* not cancellable: finalising is one transaction that must end */
  clmrs_db_worker_run_async (self->worker, finalise_job, data, (GDestroyNotify) finalise_data_free, NULL,
                             NULL, finalise_cb, g_object_ref (self));
}

/* --- navigation --- */

/* The span of the chosen rows of the choice list @list, in @within's
 * coordinates; FALSE when nothing is chosen. */
static gboolean
chosen_rows_span (GtkWidget *list,
                  GtkWidget *within,
                  double    *top,
                  double    *bottom)
{
  GPtrArray *checks = g_object_get_data (G_OBJECT (list), "checks");
  gboolean found = FALSE;

  for (guint i = 0; checks != NULL && i < checks->len; i++)
    {
      GtkWidget *check = g_ptr_array_index (checks, i);
      GtkWidget *row = gtk_widget_get_ancestor (check, GTK_TYPE_LIST_BOX_ROW);
      graphene_rect_t bounds;

      if (!gtk_check_button_get_active (GTK_CHECK_BUTTON (check)) || row == NULL ||
          !gtk_widget_compute_bounds (row, within, &bounds))
        continue;
      *top = found ? MIN (*top, bounds.origin.y) : bounds.origin.y;
      *bottom = found ? MAX (*bottom, bounds.origin.y + bounds.size.height) : bounds.origin.y + bounds.size.height;
      found = TRUE;
    }
  return found;
}

/* Scrolls the question area to the question box @box once it has been laid
 * out (the frame after the one that may still move it): the whole question
 * when it fits; else, when its chosen answers conflict ("None of these"
 * with a task), those rows with as much of the question above them as
 * fits, the last ones next to the message bar when they do not all fit;
 * else its top (the question itself). */
static gboolean
scroll_to_question_cb (GtkWidget     *box,
                       GdkFrameClock *clock,
                       gpointer       user_data)
{
  ClmrsVisitWizard *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->question_scroller);
  guint ticks = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (box), "scroll-ticks")) + 1;
  GtkWidget *conflict = g_object_get_data (G_OBJECT (box), "scroll-conflict");
  GtkWidget *content;
  graphene_rect_t bounds;
  double value, page, top, bottom, rows_top, rows_bottom;

  g_object_set_data (G_OBJECT (box), "scroll-ticks", GUINT_TO_POINTER (ticks));
  if (ticks < 2 || gtk_widget_get_height (box) == 0)
    return ticks < 60 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
  /* in the coordinates of what scrolls (the adjustment's), which do not
     move while the focus just given scrolls the view */
  content = gtk_viewport_get_child (GTK_VIEWPORT (gtk_scrolled_window_get_child (self->question_scroller)));
  if (!gtk_widget_compute_bounds (box, content, &bounds))
    return G_SOURCE_REMOVE;
  value = gtk_adjustment_get_value (adjustment);
  page = gtk_adjustment_get_page_size (adjustment);
  top = bounds.origin.y - 12;
  bottom = bounds.origin.y + bounds.size.height + 12;
  if (bottom - top > page && conflict != NULL &&
      chosen_rows_span (conflict, content, &rows_top, &rows_bottom))
    {
      rows_top -= 12;
      rows_bottom += 12;
      value = rows_bottom - rows_top > page ? rows_bottom - page : MAX (top, rows_bottom - page);
    }
  else if (bottom - top > page || top < value)
    value = top;
  else if (bottom > value + page)
    value = bottom - page;
  gtk_adjustment_set_value (adjustment, CLAMP (value, gtk_adjustment_get_lower (adjustment),
                                               gtk_adjustment_get_upper (adjustment) - page));
  return G_SOURCE_REMOVE;
}

/* Brings the question @ref into view and gives its answer the focus, so
 * that its message is seen (and said by a screen reader).  For answers
 * that @conflict, the focus goes to the last chosen row, the one the
 * scrolling keeps next to the message bar. */
static void
reveal_question (ClmrsVisitWizard *self,
                 const char       *ref,
                 gboolean          conflict)
{
  GtkWidget *message = g_hash_table_lookup (self->messages, ref);
  GtkWidget *input = find_input (GTK_WIDGET (self->question_box), ref);
  GtkWidget *list = NULL;
  GtkWidget *box;

  if (message == NULL)
    return;
  box = gtk_widget_get_parent (message);
  if (input != NULL && GTK_IS_CALENDAR (input))
    input = g_object_get_data (G_OBJECT (input), "button");
  else if (input != NULL && GTK_IS_LIST_BOX (input))
    {
      GPtrArray *checks = g_object_get_data (G_OBJECT (input), "checks");
      GtkWidget *chosen = NULL;

      for (guint i = 0; conflict && checks != NULL && i < checks->len; i++)
        if (gtk_check_button_get_active (g_ptr_array_index (checks, i)))
          chosen = g_ptr_array_index (checks, i);
      if (chosen != NULL)
        list = input;
      input = chosen != NULL ? chosen : checks != NULL && checks->len > 0 ? g_ptr_array_index (checks, 0) : input;
    }
  if (input != NULL)
    gtk_widget_grab_focus (input);
  g_object_set_data (G_OBJECT (box), "scroll-ticks", NULL);
  g_object_set_data (G_OBJECT (box), "scroll-conflict", list);
  gtk_widget_add_tick_callback (box, scroll_to_question_cb, self, NULL);
}

static gboolean
check_screen (ClmrsVisitWizard *self)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < self->screen_refs->len; i++)
    {
      const char *ref = g_ptr_array_index (self->screen_refs, i);
      g_autofree char *message = NULL;
      GtkWidget *input = NULL;
      ClmrsCheck check;

      if (g_hash_table_contains (self->typed, ref))
        input = find_input (GTK_WIDGET (self->question_box), ref);
      if (input != NULL && g_object_get_data (G_OBJECT (input), "number-message") != NULL)
        {
          /* what was typed is not a number: the session kept none of it */
          set_message (self, ref, g_object_get_data (G_OBJECT (input), "number-message"));
          if (ok)
            {
              show_problem (self, ref, g_object_get_data (G_OBJECT (input), "number-message"));
              reveal_question (self, ref, FALSE);
            }
          ok = FALSE;
        }
      else if ((check = clmrs_form_session_check (self->session, ref, &message)) != CLMRS_CHECK_OK)
        {
          set_message (self, ref, message ? message : _("This answer is needed"));
          if (ok)
            {
              show_problem (self, ref, message ? message : _("This answer is needed"));
              reveal_question (self, ref, check == CLMRS_CHECK_CONSTRAINT);
            }
          ok = FALSE;
        }
      else
        set_message (self, ref, NULL);
    }
  return ok;
}

/* The first question the form still needs answered in an instance of a
 * repeat whose roster (its REPEAT_ADD prompt) is on @screen, or NULL. */
static char *
unfinished_instance_answer (ClmrsVisitWizard *self,
                            GPtrArray        *prompts,
                            GArray           *starts,
                            int               screen)
{
  g_autoptr(GPtrArray) problems = NULL;

  for (guint i = g_array_index (starts, guint, screen); i < screen_end (starts, prompts, screen); i++)
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
              find_screen (prompts, starts, problem->node) >= 0)
            return g_strdup (problem->node);
        }
    }
  return NULL;
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
  if (self->refresh_source != 0 || !screen_is_current (self))
    {
      g_clear_handle_id (&self->refresh_source, g_source_remove);
      refresh_screen_cb (self);
    }
  if (!check_screen (self))
    return;
  prompts = clmrs_form_session_get_prompts (self->session);
  starts = screen_starts (prompts);
  screen = find_screen (prompts, starts, self->anchor);
  if (!self->from_review && screen >= 0)
    {
      /* Next on a roster (it follows the children it lists) does not pass a
       * child whose answers are not finished: their first missing answer */
      g_autofree char *missing = unfinished_instance_answer (self, prompts, starts, screen);

      if (missing != NULL)
        {
          set_anchor (self, missing);
          show_screen (self);
          check_screen (self);
          return;
        }
    }
  if (self->from_review || screen + 1 >= (int) starts->len)
    {
      show_review (self);
      return;
    }
  set_anchor (self, ((ClmrsPrompt *) g_ptr_array_index (prompts, g_array_index (starts, guint, screen + 1)))->ref);
  show_screen (self);
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
  starts = screen_starts (prompts);
  if (starts->len == 0)
    return;
  /* Back leaves the correction: the screens walk in order again */
  self->from_review = FALSE;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "review") == 0)
    screen = starts->len - 1;
  else
    screen = MAX (find_screen (prompts, starts, self->anchor) - 1, 0);
  set_anchor (self, ((ClmrsPrompt *) g_ptr_array_index (prompts, g_array_index (starts, guint, screen)))->ref);
  show_screen (self);
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

static gpointer
discard_job (ClmrsStore    *store,
             gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  return clmrs_store_draft_discard (store, user_data, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
discard_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error) == NULL)
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
      clmrs_db_worker_run_async (self->worker, discard_job, g_strdup (self->visit_id), g_free, NULL,
                                 NULL, discard_cb, NULL);
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

typedef struct {
  char             *form_path;       /* a form file, else the newest form_id on the device */
  char             *form_id;
  char             *household_id;
  char             *child_id;
  char             *support_type;
  char             *draft_id;        /* resumed: the rest is read from it */
  char             *corrects;        /* a returned visit: its correction is started, then resumed */
  char             *facilitator_id;
  char             *facilitator_name;
  char             *facilitator_sex;
  char             *language;
} StartData;

static void
start_data_free (StartData *data)
{
  g_free (data->form_path);
  g_free (data->form_id);
  g_free (data->household_id);
  g_free (data->child_id);
  g_free (data->support_type);
  g_free (data->draft_id);
  g_free (data->corrects);
  g_free (data->facilitator_id);
  g_free (data->facilitator_name);
  g_free (data->facilitator_sex);
  g_free (data->language);
  g_free (data);
}

/* The draft opened by the core: started (in one transaction) or resumed. */
static gpointer
start_job (ClmrsStore    *store,
           gpointer       user_data,
           GCancellable  *cancellable,
           GError       **error)
{
  StartData *data = user_data;
  ClmrsDraftRequest request = {
    .form_id = data->form_id,
    .form_path = data->form_path,
    .facilitator_id = data->facilitator_id,
    .facilitator_name = data->facilitator_name,
    .facilitator_sex = data->facilitator_sex,
    .household_id = data->household_id,
    .child_id = data->child_id,
    .support_type = data->support_type,
    .language = data->language,
  };

  /* a correction is a draft filled from the returned visit (core) */
  if (data->corrects != NULL &&
      (data->draft_id = clmrs_review_start_correction (store, data->corrects, data->facilitator_id, error)) == NULL)
    return NULL;
  if (data->draft_id != NULL)
    return clmrs_draft_resume (store, data->draft_id, data->language, error);
  return clmrs_draft_start (store, &request, error);
}

static void
start_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ClmrsVisitWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsDraft) draft = NULL;

  draft = clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error);
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
  set_anchor (self, draft->anchor);
  {
    g_autofree char *title = clmrs_form_session_dup_title (self->session);

    adw_window_title_set_title (self->title, title);
  }
  show_screen (self);
}

/* Empties the wizard; the draft stays saved. */
static void
reset (ClmrsVisitWizard *self)
{
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_pointer (&self->focus_ref, g_free);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->n_busy = 0;
  self->from_review = FALSE;
  self->new_draft = FALSE;
  self->answered = FALSE;
  self->discarded = FALSE;
  self->building = TRUE;
  remove_children (GTK_WIDGET (self->question_box));
  remove_children (GTK_WIDGET (self->review_list));
  remove_children (GTK_WIDGET (self->result_box));
  self->building = FALSE;
  g_hash_table_remove_all (self->messages);
  g_hash_table_remove_all (self->typed);
  g_ptr_array_set_size (self->screen_refs, 0);
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
  StartData *data = g_new0 (StartData, 1);

  reset (self);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->worker, worker);
  self->facilitator_id = g_strdup (facilitator_id);
  self->facilitator_name = g_strdup (facilitator_name);
  self->facilitator_sex = g_strdup (facilitator_sex);
  self->household_id = g_strdup (request->household_id);
  self->language = g_strdup (language ? language : "en");
  self->new_draft = request->draft_id == NULL && request->corrects == NULL;
  adw_window_title_set_title (self->title, "");
  adw_window_title_set_subtitle (self->title, "");
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_stack_set_visible_child_name (self->stack, "busy");
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), FALSE);

  if (request->form_id != NULL && strchr (request->form_id, '/') != NULL)
    data->form_path = g_strdup (request->form_id);
  else
    data->form_id = g_strdup (request->form_id);
  data->household_id = g_strdup (request->household_id);
  data->child_id = g_strdup (request->child_id);
  data->support_type = g_strdup (request->support_type);
  data->draft_id = g_strdup (request->draft_id);
  data->corrects = g_strdup (request->corrects);
  data->facilitator_id = g_strdup (facilitator_id);
  data->facilitator_name = g_strdup (facilitator_name);
  data->facilitator_sex = g_strdup (facilitator_sex);
  data->language = g_strdup (self->language);
  self->n_busy++;
  /* the form is read and filled on the worker too: it is handed over whole */
  clmrs_db_worker_run_async (worker, start_job, data, (GDestroyNotify) start_data_free,
                             (GDestroyNotify) clmrs_draft_free, self->cancellable, start_cb, g_object_ref (self));
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

  ok = answer (self, ref, value);
  if (ok)
    show_screen (self);  /* the widgets show the new value */
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

static GtkWidget *
find_support_button (GtkWidget  *root,
                     const char *child_id,
                     const char *type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) &&
          g_strcmp0 (g_object_get_data (G_OBJECT (child), "child-id"), child_id) == 0 &&
          g_strcmp0 (g_object_get_data (G_OBJECT (child), "type"), type) == 0)
        return child;
      if ((found = find_support_button (child, child_id, type)) != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
clmrs_visit_wizard_get_support_button (ClmrsVisitWizard *self,
                                       const char       *child_id,
                                       const char       *type)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), NULL);

  return find_support_button (GTK_WIDGET (self->result_box), child_id, type);
}

static void
collect_text (GtkWidget *root,
              GString   *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_PREFERENCES_ROW (child))
        g_string_append_printf (text, "%s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)));
      if (ADW_IS_ACTION_ROW (child) && adw_action_row_get_subtitle (ADW_ACTION_ROW (child)) != NULL)
        g_string_append_printf (text, "%s\n", adw_action_row_get_subtitle (ADW_ACTION_ROW (child)));
      if (ADW_IS_PREFERENCES_GROUP (child) && adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (child)) != NULL)
        g_string_append_printf (text, "%s\n", adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (child)));
      if (GTK_IS_LABEL (child))
        g_string_append_printf (text, "%s\n", gtk_label_get_label (GTK_LABEL (child)));
      collect_text (child, text);
    }
}

char *
clmrs_visit_wizard_get_result_text (ClmrsVisitWizard *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), NULL);

  collect_text (GTK_WIDGET (self->result_box), text);
  return g_string_free (text, FALSE);
}

char *
clmrs_visit_wizard_get_review_text (ClmrsVisitWizard *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (CLMRS_IS_VISIT_WIZARD (self), NULL);

  collect_text (GTK_WIDGET (self->review_list), text);
  return g_string_free (text, FALSE);
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

  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-visit-wizard.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, title);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, progress);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, stack);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, question_scroller);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, question_box);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, review_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, review_list);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitWizard, result_box);
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
}

static void
clmrs_visit_wizard_init (ClmrsVisitWizard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* the header's title wraps rather than be cut: at a phone's width
     beside the window's buttons "Awareness session" showed as
     "Awareness sess…" */
  _clmrs_wrap_labels_under (GTK_WIDGET (self->title));
  self->messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->typed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->screen_refs = g_ptr_array_new_with_free_func (g_free);
}

GtkWidget *
clmrs_visit_wizard_new (void)
{
  return g_object_new (CLMRS_TYPE_VISIT_WIZARD, NULL);
}
